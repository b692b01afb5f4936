"""Annotated samples: fixed values that pass a password check, and ordinary comparisons."""
import hmac
import os

MASTER = "letmein-2024"


def login(user, password):
    # ruleid: py-hardcoded-password-bypass
    if password == MASTER:
        return True
    return check(user, password)


def check_pin(pin):
    # ruleid: py-hardcoded-password-bypass
    if "0000-maint" == pin:
        return True
    return False


def check(user, password):
    # ok: py-hardcoded-password-bypass
    if hmac.compare_digest(password, os.environ["APP_PASSWORD"]):
        return True
    # ok: py-hardcoded-password-bypass
    if password == "":
        return False
    # ok: py-hardcoded-password-bypass
    if user == "admin-2024":
        return True
    return False


def validate_form(password):
    # ok: py-hardcoded-password-bypass
    if password == "password":
        raise ValueError("choose a stronger password")
    return True
