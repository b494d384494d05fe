"""Small, realistic OneRoster bundles for tests: one district, two schools, five people."""

from __future__ import annotations

import csv
from pathlib import Path

from tandem.interop.oneroster import spec

STAMP = "2026-08-01T00:00:00.000Z"
DISTRICT, NORTH, SOUTH = "org-district", "org-north", "org-south"
YEAR, TERM = "as-2026", "as-2026-t1"

ORGS = [
    {"sourcedId": DISTRICT, "name": "Riverbend Unified", "type": "district", "identifier": "RB"},
    {"sourcedId": NORTH, "name": "North Elementary", "type": "school", "identifier": "RB-N",
     "parentSourcedId": DISTRICT},
    {"sourcedId": SOUTH, "name": "South Middle", "type": "school", "identifier": "RB-S",
     "parentSourcedId": DISTRICT},
]  # fmt: skip
SESSIONS = [
    {"sourcedId": YEAR, "title": "2026-2027", "type": "schoolYear", "startDate": "2026-08-15",
     "endDate": "2027-06-10", "schoolYear": "2027"},
    {"sourcedId": TERM, "title": "Fall", "type": "term", "startDate": "2026-08-15",
     "endDate": "2026-12-20", "parentSourcedId": YEAR, "schoolYear": "2027"},
]  # fmt: skip
COURSES = [
    {"sourcedId": "crs-math4", "schoolYearSourcedId": YEAR, "title": "Math 4",
     "courseCode": "M4", "grades": "04", "orgSourcedId": NORTH, "subjects": "Math"},
]  # fmt: skip
CLASSES = [
    {"sourcedId": "cls-math4a", "title": "Math 4 A", "grades": "04",
     "courseSourcedId": "crs-math4", "classCode": "M4-A", "classType": "scheduled",
     "schoolSourcedId": NORTH, "termSourcedIds": TERM, "periods": "1"},
]  # fmt: skip

# username, given, family, grade, agents; the roles come per version below.
PEOPLE = {
    "stu-ada": ("ada.lovelace", "Ada", "Lovelace", "04", "par-byron"),
    "stu-alan": ("alan.turing", "Alan", "Turing", "04", ""),
    "tch-grace": ("grace.hopper", "Grace", "Hopper", "", ""),
    "adm-mary": ("mary.somerville", "Mary", "Somerville", "", ""),
    "par-byron": ("anne.byron", "Anne", "Byron", "", "stu-ada"),
}
ENROLLMENTS = [
    {"sourcedId": "enr-1", "classSourcedId": "cls-math4a", "schoolSourcedId": NORTH,
     "userSourcedId": "tch-grace", "role": "teacher", "primary": "true"},
    {"sourcedId": "enr-2", "classSourcedId": "cls-math4a", "schoolSourcedId": NORTH,
     "userSourcedId": "stu-ada", "role": "student", "primary": "false"},
    {"sourcedId": "enr-3", "classSourcedId": "cls-math4a", "schoolSourcedId": NORTH,
     "userSourcedId": "stu-alan", "role": "student", "primary": "false"},
]  # fmt: skip
DEMOGRAPHICS = [
    {"sourcedId": "stu-ada", "birthDate": "2016-12-10", "sex": "female"},
]
ROLES_V11 = {
    "stu-ada": "student",
    "stu-alan": "student",
    "tch-grace": "teacher",
    "adm-mary": "administrator",
    "par-byron": "parent",
}
# sourcedId, user, roleType, role, org, profile
ROLES_V12 = [
    ("rol-ada", "stu-ada", "primary", "student", NORTH, ""),
    ("rol-alan", "stu-alan", "primary", "student", NORTH, ""),
    ("rol-grace", "tch-grace", "primary", "teacher", NORTH, "prof-grace"),
    ("rol-grace-s", "tch-grace", "secondary", "teacher", SOUTH, ""),
    ("rol-grace-aide", "tch-grace", "secondary", "aide", SOUTH, ""),
    ("rol-mary", "adm-mary", "primary", "principal", NORTH, ""),
    ("rol-byron", "par-byron", "primary", "parent", NORTH, ""),
]
PROFILES = [
    {"sourcedId": "prof-grace", "userSourcedId": "tch-grace", "profileType": "lms",
     "vendorId": "acme-lms", "applicationId": "acme-classroom", "description": "Acme LMS",
     "credentialType": "password", "username": "ghopper", "password": "s3cret!"},
]  # fmt: skip


def write_csv(path: Path, name: str, header: list[str], rows: list[dict[str, str]]) -> None:
    with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({"status": "active", "dateLastModified": STAMP} | row)


def write_manifest(path: Path, version: str, modes: dict[str, str]) -> None:
    lines = ["propertyName,value", "manifest.version,1.0", f"oneroster.version,{version}"]
    lines += [f"file.{name},{mode}" for name, mode in modes.items()]
    (path / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def user_rows(version: str) -> list[dict[str, str]]:
    rows = []
    for sid, (username, given, family, grade, agents) in PEOPLE.items():
        row = {
            "sourcedId": sid,
            "enabledUser": "true",
            "username": username,
            "givenName": given,
            "familyName": family,
            "email": f"{username}@riverbend.example",
            "grades": grade,
            "agentSourcedIds": agents,
            "password": "changeme" if sid == "stu-alan" else "",
        }
        if version == "1.1":
            row |= {"role": ROLES_V11[sid], "orgSourcedIds": NORTH}
        else:
            row |= {"primaryOrgSourcedId": NORTH, "preferredGivenName": given[:2],
                    "pronouns": "she/her" if sid == "stu-ada" else ""}  # fmt: skip
        rows.append(row)
    return rows


def role_rows() -> list[dict[str, str]]:
    return [
        {"sourcedId": sid, "userSourcedId": user, "roleType": kind, "role": role,
         "orgSourcedId": org, "userProfileSourcedId": profile, "beginDate": "2026-08-15"}
        for sid, user, kind, role, org, profile in ROLES_V12
    ]  # fmt: skip


def write_bundle(path: Path, version: str) -> Path:
    """A bulk bundle of every file the version reads."""
    path.mkdir(parents=True, exist_ok=True)
    headers = spec.headers_for(version)
    rows = {
        "orgs": ORGS,
        "academicSessions": SESSIONS,
        "courses": COURSES,
        "classes": CLASSES,
        "users": user_rows(version),
        "enrollments": ENROLLMENTS,
        "demographics": DEMOGRAPHICS,
    }
    if version == "1.2":
        rows |= {"roles": role_rows(), "userProfiles": PROFILES}
    for name, data in rows.items():
        write_csv(path, name, headers[name], data)
    write_manifest(path, version, dict.fromkeys(rows, "bulk"))
    return path
