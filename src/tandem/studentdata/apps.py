from django.apps import AppConfig


class StudentDataConfig(AppConfig):
    name = "tandem.studentdata"
    label = "studentdata"
    verbose_name = "Student data requests"
