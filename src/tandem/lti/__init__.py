"""Tandem as an LTI 1.3 tool: launches from the school's LMS, deep linking and grade passback."""
