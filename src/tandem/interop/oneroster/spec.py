"""What a OneRoster CSV bundle holds, in versions 1.1 and 1.2: files, headers and vocabularies."""

from __future__ import annotations

VERSIONS = ("1.1", "1.2")

# Files in dependency order: a file refers only to files before it.
FILES_V11 = ["orgs", "academicSessions", "courses", "classes", "users", "enrollments",
             "demographics"]  # fmt: skip
# 1.2 moves a user's roles and orgs out of users.csv into roles.csv, and adds userProfiles.csv.
FILES_V12 = ["orgs", "academicSessions", "courses", "classes", "users", "userProfiles", "roles",
             "enrollments", "demographics"]  # fmt: skip
# Every file either version reads (the importer's models are keyed by these).
FILES = FILES_V12

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

HEADERS_V12: dict[str, list[str]] = HEADERS | {
    "users": ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds",
              "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
              "agentSourcedIds", "grades", "password", "userMasterIdentifier",
              "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
              "preferredFamilyName", "primaryOrgSourcedId", "pronouns"],
    "userProfiles": ["sourcedId", "status", "dateLastModified", "userSourcedId", "profileType",
                     "vendorId", "applicationId", "description", "credentialType", "username",
                     "password"],
    "roles": ["sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role",
              "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"],
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
REQUIRED_V12: dict[str, list[str]] = REQUIRED | {
    "users": ["enabledUser", "username", "givenName", "familyName"],
    "userProfiles": ["userSourcedId", "profileType", "vendorId", "username"],
    "roles": ["userSourcedId", "roleType", "role", "orgSourcedId"],
}

# Headers a bundle may leave out: optional columns; a missing one reads as empty.
OPTIONAL_HEADERS = {"subjectCodes", "location", "periods", "userIds", "middleName", "sms",
                    "phone", "agentSourcedIds", "password", "dateLastModified", "status",
                    "identifier", "email", "grades", "schoolYearSourcedId", "courseCode",
                    "classCode", "subjects", "parentSourcedId", "primary", "beginDate",
                    "endDate", "enabledUser", "username", "userMasterIdentifier",
                    "resourceSourcedIds", "preferredGivenName", "preferredMiddleName",
                    "preferredFamilyName", "primaryOrgSourcedId", "pronouns", "applicationId",
                    "description", "credentialType", "userProfileSourcedId"}  # fmt: skip


def files_for(version: str) -> list[str]:
    return FILES_V12 if version == "1.2" else FILES_V11


def headers_for(version: str) -> dict[str, list[str]]:
    return HEADERS_V12 if version == "1.2" else HEADERS


def required_for(version: str) -> dict[str, list[str]]:
    return REQUIRED_V12 if version == "1.2" else REQUIRED


STATUSES = {"", "active", "tobedeleted", "inactive"}
DELETED = "tobedeleted"

ORG_TYPES = {"district", "school"}
ORG_TYPES_UNSUPPORTED = {"department", "local", "state", "national"}
SESSION_TYPES = {"schoolYear", "semester", "term", "gradingPeriod"}
CLASS_TYPES = {"homeroom", "scheduled"}

# OneRoster 1.1 user roles (users.csv `role`) mapped onto Tandem's four roles.
USER_ROLES = {
    "student": "student",
    "teacher": "teacher",
    "administrator": "administrator",
    "guardian": "guardian",
    "parent": "guardian",
    "relative": "guardian",
}
USER_ROLES_UNSUPPORTED = {"aide", "proctor"}

# OneRoster 1.2 roles (roles.csv `role`) mapped onto Tandem's roles (1.2 adds the counselor).
# Tandem's administrator runs the whole installation, so every administrator kind becomes one.
ROLES_V12 = {
    "student": "student",
    "teacher": "teacher",
    "guardian": "guardian",
    "parent": "guardian",
    "relative": "guardian",
    "districtAdministrator": "administrator",
    "siteAdministrator": "administrator",
    "systemAdministrator": "administrator",
    "principal": "administrator",
    "counselor": "counselor",
}
# Tandem has no aide or proctor: such a user would see too much or too little.
ROLES_V12_UNSUPPORTED = {"aide", "proctor"}
ROLE_TYPES = {"primary", "secondary"}
# The OneRoster role that names how a guardian relates to a student (GuardianLink.relationship).
GUARDIAN_RELATIONSHIPS = {"guardian", "parent", "relative"}

ENROLLMENT_ROLES = {"student", "teacher"}
ENROLLMENT_ROLES_UNSUPPORTED = {"administrator", "proctor", "aide", "guardian", "parent",
                                "relative"}  # fmt: skip
