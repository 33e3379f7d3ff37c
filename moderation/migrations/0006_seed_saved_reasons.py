"""A few standard reasons to start from; the webmaster edits, adds or retires them in the admin."""

from django.db import migrations

REASONS = [
    (
        "Uden for emnet",
        "Dit indlæg handler ikke om spørgsmålet, det er sendt til. Du er velkommen til at sende "
        "det igen til den generelle debat eller til et spørgsmål, det passer bedre til.",
        "Your contribution is not about the question it was sent to. You are welcome to send it "
        "again to the general debate or to a question it fits better.",
    ),
    (
        "Personoplysninger om andre",
        "Dit indlæg nævner andre personer ved navn eller med oplysninger, der kan genkende dem. "
        "Send det gerne igen uden dem.",
        "Your contribution names other people or gives details that identify them. Please send "
        "it again without them.",
    ),
    (
        "Tone",
        "Dit indlæg angriber personer frem for at diskutere sagen. Send det gerne igen i en "
        "saglig form.",
        "Your contribution attacks people rather than discussing the matter. Please send it "
        "again in a form that keeps to the matter.",
    ),
]


def seed(apps, schema_editor):
    SavedReason = apps.get_model("moderation", "SavedReason")
    db = schema_editor.connection.alias
    if SavedReason.objects.using(db).exists():
        return
    SavedReason.objects.using(db).bulk_create(
        SavedReason(title=title, text_da=da, text_en=en, position=position)
        for position, (title, da, en) in enumerate(REASONS, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0005_savedreason")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
