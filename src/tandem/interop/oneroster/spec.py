"""What a OneRoster 1.1 CSV bundle holds: files, their headers, and vocabularies."""

from __future__ import annotations

# Files in dependency order: a file refers only to files before it.
FILES = ["orgs", "academicSessions", "courses", "classes", "users", "enrollments", "demographics"]

# 1.2 files we accept in a bundle and read no further (roles/userProfiles: see README report).
IGNORED_FILES = ["roles", "userProfiles"]

HEADERS: dict[str, list[str]] = {
    "orgs": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier",
             "parentSourcedId"],
    "academicSessions": ["sourcedId", "status", "dateLastModified", "title", "type", "startDate",
                         "endDate", "parentSourcedId", "schoolYear"],
    "courses": ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title",
                "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"],
    "classes": ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
                "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds",
                "subjects", "subjectCodes", "periods"],
    "users": ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
              "username", "userIds", "givenName", "familyName", "middleName", "identifier",
              "email", "sms", "phone", "agentSourcedIds", "grades", "password"],
    "enrollments": ["sourcedId", "status", "dateLastModified", "classSourcedId",
                    "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                    "endDate"],
    "demographics": ["sourcedId", "status", "dateLastModified", "birthDate", "sex",
                     "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
                     "nativeHawaiianOrOtherPacificIslander", "white",
                     "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity",
                     "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth",
                     "publicSchoolResidenceStatus"],
}  # fmt: skip

# Columns that must hold a value in every active row (beyond sourcedId).
REQUIRED: dict[str, list[str]] = {
    "orgs": ["name", "type"],
    "academicSessions": ["title", "type", "startDate", "endDate", "schoolYear"],
    "courses": ["title", "orgSourcedId"],
    "classes": ["title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"],
    "users": ["enabledUser", "orgSourcedIds", "role", "givenName", "familyName"],
    "enrollments": ["classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
    "demographics": [],
}

# Headers a 1.2 bundle may leave out (roles moved to roles.csv; some columns renamed).
OPTIONAL_HEADERS = {"subjectCodes", "location", "periods", "userIds", "middleName", "sms",
                    "phone", "agentSourcedIds", "password", "dateLastModified", "status",
                    "identifier", "email", "grades", "schoolYearSourcedId", "courseCode",
                    "classCode", "subjects", "parentSourcedId", "primary", "beginDate",
                    "endDate", "enabledUser", "username"}  # fmt: skip

STATUSES = {"", "active", "tobedeleted", "inactive"}
DELETED = "tobedeleted"

ORG_TYPES = {"district", "school"}
ORG_TYPES_UNSUPPORTED = {"department", "local", "state", "national"}
SESSION_TYPES = {"schoolYear", "semester", "term", "gradingPeriod"}
CLASS_TYPES = {"homeroom", "scheduled"}
# OneRoster user roles mapped onto Tandem's four roles.
USER_ROLES = {
    "student": "student",
    "teacher": "teacher",
    "administrator": "administrator",
    "guardian": "guardian",
    "parent": "guardian",
    "relative": "guardian",
}
USER_ROLES_UNSUPPORTED = {
    "aide",
    "proctor",
    "districtAdministrator",
    "siteAdministrator",
    "systemAdministrator",
    "principal",
    "counselor",
}
ENROLLMENT_ROLES = {"student", "teacher"}
