"""
Search reads what readers see, folded, and finds the back part of compounds.

On PostgreSQL: `debates_visible_text(html)` is the text of sanitised HTML as a reader sees it (no
tags, attributes or comments; character references decoded), `debates_fold(text)` lowercases and
drops accents but keeps æ, ø and å; the contribution trigger of 0004 now reads the shown text
(body_html) instead of the Markdown source, and also stores the folded text in `search_text`,
which a trigram index (pg_trgm, a trusted extension a database owner may create) searches for
words inside longer words. They mirror debates.search_text.html_text and fold; the tests hold
each pair to the same results. On other databases this migration only adds the column.
"""

import json
from html.entities import html5

from django.db import migrations, models

# Latin-1's letters and their folded forms; then the invisible characters, which go.
LATIN1_FROM = (
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞàáâãäçèéêëìíîïñòóôõöùúûüýÿ"
    "\u00ad\u200b\u200c\u200d\u2060\ufeff"
)
LATIN1_TO = (
    "aaaaaåæceeeeiiiiðnoooooøuuuuyþaaaaaceeeeiiiinooooouuuuyy"
)
# The letters of Latin Extended-A and -B and Extended Additional, and their folded forms.
EXTENDED_FROM = (
    "ĀāĂăĄąĆćĈĉĊċČčĎďĐđĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦĨĩĪīĬĭĮįİıĲĴĵĶķĹĺĻļĽľĿŁłŃ"
    "ńŅņŇňŊŌōŎŏŐőŒŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžƁƂƄƆƇƉƊƋƎ"
    "ƏƐƑƓƔƖƗƘƜƝƟƠơƢƤƦƧƩƬƮƯưƱƲƳƵƷƸƼǄǅǇǈǊǋǍǎǏǐǑǒǓǔǕǖǗǘǙǚǛǜǞǟǠǡǢǣǤǦǧǨǩǪǫ"
    "ǬǭǮǯǰǱǲǴǵǶǷǸǹǺǻǼǽǾǿȀȁȂȃȄȅȆȇȈȉȊȋȌȍȎȏȐȑȒȓȔȕȖȗȘșȚțȜȞȟȠȢȤȦȧȨȩȪȫȬȭȮȯȰ"
    "ȱȲȳȺȻȽȾɁɃɄɅɆɈɊɌɎḀḁḂḃḄḅḆḇḈḉḊḋḌḍḎḏḐḑḒḓḔḕḖḗḘḙḚḛḜḝḞḟḠḡḢḣḤḥḦḧḨḩḪḫḬḭḮḯ"
    "ḰḱḲḳḴḵḶḷḸḹḺḻḼḽḾḿṀṁṂṃṄṅṆṇṈṉṊṋṌṍṎṏṐṑṒṓṔṕṖṗṘṙṚṛṜṝṞṟṠṡṢṣṤṥṦṧṨṩṪṫṬṭṮṯ"
    "ṰṱṲṳṴṵṶṷṸṹṺṻṼṽṾṿẀẁẂẃẄẅẆẇẈẉẊẋẌẍẎẏẐẑẒẓẔẕẖẗẘẙẛẞẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳ"
    "ẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳ"
    "ỴỵỶỷỸỹỺỼỾ"
)
EXTENDED_TO = (
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhħiiiiiiiiiiĳjjkkllllllŀlln"
    "nnnnnŋooooooœrrrrrrssssssssttttŧuuuuuuuuuuuuwwyyyzzzzzzɓƃƅɔƈɖɗƌǝ"
    "əɛƒɠɣɩɨƙɯɲɵooƣƥʀƨʃƭʈuuʊʋƴƶʒƹƽǆǆǉǉǌǌaaiioouuuuuuuuuuaaaaææǥggkkoo"
    "ooʒʒjǳǳggƕƿnnååææøøaaaaeeeeiiiioooorrrruuuussttȝhhƞȣȥaaeeooooooo"
    "oyyⱥȼƚⱦɂƀʉʌɇɉɋɍɏaabbbbbbccddddddddddeeeeeeeeeeffgghhhhhhhhhhiiii"
    "kkkkkkllllllllmmmmmmnnnnnnnnoooooooopppprrrrrrrrsssssssssstttttt"
    "ttuuuuuuuuuuvvvvwwwwwwwwwwxxxxyyzzzzzzhtwyſßaaaaaaaaaaaaaaaaaaaa"
    "aaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyy"
    "yyyyyyỻỽỿ"
)
# Any character of the tables but æ, ø and å (which only lower() changes), as a regular expression.
FOLDED_OR_INVISIBLE = r"[À-ÄÇ-ÖÙ-äç-öù-ÿĀ-ɏḀ-ỿ\u00ad\u200b-\u200d\u2060\ufeff]"
ATTRIBUTES = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
COMMENT = r"<!--.*?(?:-->|\Z)"
BLOCK_TAG = (
    r"</?(?:p|br|hr|li|ul|ol|dl|dt|dd|blockquote|pre|div|h[1-6]|table|thead|tbody|tr|td|th"
    rf"|section|article|header|footer|figure|figcaption)(?:[\s/]{ATTRIBUTES})?>"
)
TAG = rf"<[A-Za-z/!?]{ATTRIBUTES}>"
ENTITY = r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});"
# HTML5's named character references (a list the standard has frozen), by name.
ENTITIES = {name[:-1]: text for name, text in html5.items() if name.endswith(";")}


def literal(text):
    return "'" + text.replace("'", "''") + "'"


FUNCTIONS = f"""
CREATE FUNCTION debates_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        -- translate() looks through its table for every character, so text with none of the
        -- letters it changes (most Danish text: ASCII, æ, ø, å and punctuation) goes without.
        WHEN value !~ {literal(FOLDED_OR_INVISIBLE)} AND value IS NFC NORMALIZED
            THEN translate(lower(value), 'ÆØÅ', 'æøå')
        WHEN value !~ '[Ā-ɏḀ-ỿ]' THEN translate(
            lower(normalize(value, NFC)), {literal(LATIN1_FROM)}, {literal(LATIN1_TO)}
        )
        ELSE translate(
            translate(lower(normalize(value, NFC)), {literal(LATIN1_FROM)}, {literal(LATIN1_TO)}),
            {literal(EXTENDED_FROM)},
            {literal(EXTENDED_TO)}
        )
    END
$$;

CREATE FUNCTION debates_character(code integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN code = 0 OR code > 1114111 OR code BETWEEN 55296 AND 57343 THEN chr(65533)
        ELSE chr(code)
    END
$$;

CREATE FUNCTION debates_visible_text(html text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    shown text := regexp_replace(html, {literal(COMMENT)}, ' ', 'g');
    decoded text;
BEGIN
    shown := regexp_replace(shown, {literal(BLOCK_TAG)}, ' ', 'gi');
    shown := regexp_replace(shown, {literal(TAG)}, '', 'g');
    IF strpos(shown, '&') = 0 THEN
        RETURN shown;
    END IF;
    SELECT string_agg(
        CASE
            WHEN part[2] IS NULL THEN part[1]
            WHEN part[2] ~ '^#[xX]'
                THEN debates_character(('x' || lpad(substr(part[2], 3), 8, '0'))::bit(32)::integer)
            WHEN part[2] ~ '^#' THEN debates_character(substr(part[2], 2)::integer)
            ELSE coalesce({literal(json.dumps(ENTITIES, ensure_ascii=False))}::jsonb ->> part[2], part[1])
        END,
        '' ORDER BY n
    )
    INTO decoded
    FROM regexp_matches(shown, {literal(f"({ENTITY}|[^&]+|&)")}, 'g') WITH ORDINALITY AS found(part, n);
    RETURN coalesce(decoded, '');
END
$$;
"""

# The weights must match debates.search.WEIGHTS' use: title A, text B, name C.
TRIGGER = """
CREATE OR REPLACE FUNCTION debates_contribution_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    title text := debates_fold(coalesce(NEW.title, ''));
    body text := debates_fold(debates_visible_text(coalesce(NEW.body_html, '')));
    author text := debates_fold(coalesce(NEW.author_name, ''));
BEGIN
    NEW.search_text := title || ' ' || body || ' ' || author;
    NEW.search_vector :=
        setweight(to_tsvector('danish', title), 'A')
        || setweight(to_tsvector('danish', body), 'B')
        || setweight(to_tsvector('danish', author), 'C');
    RETURN NEW;
END
$$;
DROP TRIGGER debates_contribution_search_vector ON debates_contribution;
CREATE TRIGGER debates_contribution_search_vector
    BEFORE INSERT OR UPDATE OF title, body_html, author_name, search_vector, search_text
    ON debates_contribution
    FOR EACH ROW EXECUTE FUNCTION debates_contribution_search_vector();
UPDATE debates_contribution SET search_vector = NULL;
CREATE INDEX debates_contribution_search_text_trgm
    ON debates_contribution USING gin (search_text gin_trgm_ops)
    WHERE status = 'published';
"""

# Back to 0004's trigger, which reads the Markdown source.
UNDO = """
DROP INDEX IF EXISTS debates_contribution_search_text_trgm;
CREATE OR REPLACE FUNCTION debates_contribution_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('danish', coalesce(NEW.title, '')), 'A')
        || setweight(to_tsvector('danish', coalesce(NEW.body, '')), 'B')
        || setweight(to_tsvector('danish', coalesce(NEW.author_name, '')), 'C');
    RETURN NEW;
END
$$;
DROP TRIGGER debates_contribution_search_vector ON debates_contribution;
CREATE TRIGGER debates_contribution_search_vector
    BEFORE INSERT OR UPDATE OF title, body, author_name, search_vector ON debates_contribution
    FOR EACH ROW EXECUTE FUNCTION debates_contribution_search_vector();
UPDATE debates_contribution SET search_vector = NULL;
DROP FUNCTION IF EXISTS debates_visible_text(text);
DROP FUNCTION IF EXISTS debates_character(integer);
DROP FUNCTION IF EXISTS debates_fold(text);
"""


def on_postgresql(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                # No parameters: the SQL holds "%" of its own.
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("debates", "0011_content_history_baseline"),
    ]

    operations = [
        # A trusted extension: the database's owner may create it; a database that has it (or
        # whose administrator made it) is left as it is, and undoing this keeps it.
        migrations.RunPython(
            on_postgresql("CREATE EXTENSION IF NOT EXISTS pg_trgm"),
            migrations.RunPython.noop,
            elidable=False,
        ),
        migrations.AddField(
            model_name="contribution",
            name="search_text",
            field=models.TextField(default="", editable=False, verbose_name="searched text"),
        ),
        migrations.RunPython(
            on_postgresql(FUNCTIONS, TRIGGER), on_postgresql(UNDO), elidable=False
        ),
    ]
