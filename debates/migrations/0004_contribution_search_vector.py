from django.contrib.postgres.search import SearchVectorField
from django.db import migrations

# The vector is written by the database itself, so that every write keeps it current: a model's
# save() as much as the queryset update() the moderation services use for transitions, edits and
# withdrawals. The weights must match debates.search.CONTRIBUTION_WEIGHTS.
CREATE = """
CREATE FUNCTION debates_contribution_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('danish', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('danish', coalesce(NEW.body, '')), 'B')
        || setweight(to_tsvector('danish', coalesce(NEW.author_name, '')), 'C');
    RETURN NEW;
END
$$;
CREATE TRIGGER debates_contribution_search_vector
    BEFORE INSERT OR UPDATE OF title, body, author_name, search_vector ON debates_contribution
    FOR EACH ROW EXECUTE FUNCTION debates_contribution_search_vector();
UPDATE debates_contribution SET search_vector = NULL;
CREATE INDEX debates_contribution_search_vector_gin
    ON debates_contribution USING gin (search_vector);
"""

DROP = """
DROP INDEX IF EXISTS debates_contribution_search_vector_gin;
DROP TRIGGER IF EXISTS debates_contribution_search_vector ON debates_contribution;
DROP FUNCTION IF EXISTS debates_contribution_search_vector();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("debates", "0003_mail_intake_following_and_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="search_vector",
            field=SearchVectorField(editable=False, null=True, verbose_name="search words"),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP), elidable=False),
    ]
