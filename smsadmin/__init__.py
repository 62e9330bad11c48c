"""smsadmin: a Django web admin for the Sociostacks SMS API.

Where things live (the README's "Development" section has the full map):
``sociostacks/`` talks to the API (client, errors, the per-key budget, every
cached read), ``problems.py`` words its failures, ``http.py`` answers what a
request's own words may mean (safe redirects, numbers) and types requests;
the apps are ``accounts`` (people, roles, sign-in, two-factor), ``keys``
(API keys), ``sms`` (messages; ``sms/compose`` sending), ``conversations``,
``mirror`` (the local copy: sync, search, dashboard, export) and ``audit``.
``sandbox/`` is a fake of the API that the site itself never imports.
"""
