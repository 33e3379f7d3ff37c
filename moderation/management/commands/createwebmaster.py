import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from moderation.roles import WEBMASTER_GROUP


class Command(BaseCommand):
    help = (
        "Create a webmaster: a staff account in the Webmaster group, which may edit the content "
        "and moderate contributions in the admin. Asks for what it is not given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="Read the password from this environment variable instead of asking.",
        )

    def handle(self, *args, username, email, password_env, **options):
        username = username or input("Brugernavn / username: ").strip()
        email = (
            email
            or input("E-mail (får besked om nye indlæg / told of new contributions): ").strip()
        )
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Not an e-mail address: {email}") from error
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"There is already a user called {username}.")
        password = self._password(password_env)
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=WEBMASTER_GROUP))
        self.stdout.write(self.style.SUCCESS(f"Webmaster {username} created; log in at /admin/."))

    def _password(self, password_env):
        if password_env:
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(f"{password_env} is empty.")
            return password
        password = getpass.getpass("Adgangskode / password: ")
        if password != getpass.getpass("Igen / again: "):
            raise CommandError("The passwords differ.")
        return password
