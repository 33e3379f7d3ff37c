import io

import pytest
from django.core.management import call_command


@pytest.fixture
def seeded(db):
    """The site's seeded MIA content, as `make run` loads it."""
    call_command("seed_content", stdout=io.StringIO())
