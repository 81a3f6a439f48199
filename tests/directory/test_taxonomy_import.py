import pytest
from django.core.management import CommandError, call_command

from directory.models import Taxonomy, TaxonomyTerm

pytestmark = pytest.mark.django_db

LGA_STYLE = """code,name,parent_code,description
1,Adult social care,,Care and support for adults
2,Home care,1,Help at home
3,Equipment,1,
4,Orphan,99,
5,,1,
"""


def test_csv_vocabulary_imports_good_rows_reports_bad_ones_by_line(tmp_path, capsys):
    path = tmp_path / "lga.csv"
    path.write_text(LGA_STYLE)

    with pytest.raises(CommandError, match="2 rows were rejected"):
        call_command("import_taxonomy", str(path), name="LGA service list")

    errors = capsys.readouterr().err
    assert "line 5: parent code '99' is not in the file" in errors
    assert "line 6: the name is empty" in errors
    taxonomy = Taxonomy.objects.get(name="LGA service list")
    assert sorted(taxonomy.terms.values_list("code", flat=True)) == ["1", "2", "3"]
    assert TaxonomyTerm.objects.get(taxonomy=taxonomy, code="2").parent.code == "1"


def test_importing_again_updates_by_code_and_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "needs.csv"
    path.write_text("code,name\nN1,Loneliness\nN2,Money worries\n")
    call_command("import_taxonomy", str(path), name="LGA needs list")
    path.write_text("code,name\nN1,Feeling lonely\nN2,Money worries\nN3,Housing\n")

    call_command("import_taxonomy", str(path), name="LGA needs list", dry_run=True)
    assert TaxonomyTerm.objects.filter(taxonomy__name="LGA needs list").count() == 2

    call_command("import_taxonomy", str(path), name="LGA needs list")
    terms = dict(
        TaxonomyTerm.objects.filter(taxonomy__name="LGA needs list").values_list("code", "name")
    )
    assert terms == {"N1": "Feeling lonely", "N2": "Money worries", "N3": "Housing"}


def test_open_referral_taxonomy_json_is_accepted(tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text(
        '{"id": "t1", "name": "Imported list", "description": "x", "version": "2", '
        '"taxonomy_terms": [{"id": "a", "name": "Parent", "term": "P", "description": ""},'
        '{"id": "b", "name": "Child", "term": "C", "parent_id": "a", "description": ""}]}'
    )

    call_command("import_taxonomy", str(path))

    child = TaxonomyTerm.objects.get(taxonomy__name="Imported list", code="C")
    assert child.parent.code == "P"
    assert child.taxonomy.version == "2"
