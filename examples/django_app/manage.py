#!/usr/bin/env python
"""The Django example: ./manage.py migrate && ./manage.py seed_demo && ./manage.py runserver"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
