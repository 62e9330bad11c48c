"""People and how they get in: users, teams and roles, sign-in and its throttle, the
shared team login and its operator names, two-factor (``twofactor.py`` the logic,
``twofactor_views.py`` the pages, ``otp_devices.py`` the stored devices), invitations,
preferences and the people pages. ``phones.py`` lists the phones a person may pick
as their default.
"""
