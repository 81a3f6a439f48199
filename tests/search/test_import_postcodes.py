import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from portal.progress import Progress
from search.models import Postcode, PostcodeDistrict

# Columns as in a real ONSPD file, in its order, trimmed: the importer must pick its four by
# name and ignore the rest.
HEADER = ["pcd", "pcd2", "pcds", "dointr", "doterm", "usertype", "oseast1m", "osnrth1m"]
HEADER += ["oa21", "laua", "ctry", "lat", "long", "icb"]


def onspd_row(pcds: str, lat: str, long: str, doterm: str = "") -> list[str]:
    compact = pcds.replace(" ", "")
    pcd = compact[:-3].ljust(4) + compact[-3:]  # the 7-character form ONSPD also carries
    codes = ["E00000001", "E06000033", "E92000001"]
    return [pcd, pcd, pcds, "198001", doterm, "0", "588000", "186000", *codes, lat, long, "E54"]


def write_onspd(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)  # ONSPD quotes every field
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_postcodes", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def onspd_file(tmp_path) -> Path:
    return write_onspd(
        tmp_path / "ONSPD_TEST_UK.csv",
        [
            onspd_row("SS1 1AA", "51.536000", "0.714000"),  # line 2
            onspd_row("SS1 1AB", "51.540000", "0.718000"),  # line 3
            onspd_row("SS2 6ER", "51.552000", "0.720000"),  # line 4
            onspd_row("SS1 9ZZ", "51.541000", "0.720000", doterm="200512"),  # line 5
            onspd_row("SS9 9XX", "99.999999", "0.000000"),  # line 6: no grid reference
            onspd_row("NOT A POSTCODE", "51.5", "0.7"),  # line 7
            onspd_row("SS3 0AA", "fifty-one", "0.79"),  # line 8
            onspd_row("SS3 0AB", "51.539", "200"),  # line 9
            onspd_row("ss3 0ad", "51.539000", "0.795000"),  # line 10: odd case, still good
        ],
    )


@pytest.mark.django_db
def test_import_keeps_good_rows_and_reports_the_rest(onspd_file):
    out, err = run_import(str(onspd_file))

    assert list(Postcode.objects.values_list("postcode", "outward", "latitude", "longitude")) == [
        ("SS1 1AA", "SS1", 51.536, 0.714),
        ("SS1 1AB", "SS1", 51.54, 0.718),
        ("SS2 6ER", "SS2", 51.552, 0.72),
        ("SS3 0AD", "SS3", 51.539, 0.795),
    ]
    assert "Imported 4 postcodes." in out
    assert "Skipped 1 terminated postcode." in out
    assert "Skipped 1 postcode without coordinates." in out
    assert "Skipped 3 bad rows." in out
    assert "Recomputed 3 postcode districts." in out
    assert "Line 7: 'NOT A POSTCODE' is not a valid postcode" in err
    assert "Line 8: latitude 'fifty-one' is not a number" in err
    assert "Line 9: longitude '200' is out of range" in err


@pytest.mark.django_db
def test_import_recomputes_district_centres_from_postcodes(onspd_file):
    PostcodeDistrict.objects.create(outward="SS1", latitude=0, longitude=0)
    PostcodeDistrict.objects.create(outward="SS17", latitude=51.522, longitude=0.442)

    run_import(str(onspd_file))

    districts = {d.outward: (d.latitude, d.longitude) for d in PostcodeDistrict.objects.all()}
    assert districts["SS1"] == (pytest.approx(51.538), pytest.approx(0.716))
    assert districts["SS2"] == (pytest.approx(51.552), pytest.approx(0.72))
    assert districts["SS3"] == (pytest.approx(51.539), pytest.approx(0.795))
    # A district with no imported postcodes keeps its centre: the fallback still works there.
    assert districts["SS17"] == (51.522, 0.442)


@pytest.mark.django_db
def test_importing_twice_updates_rather_than_duplicates(onspd_file, tmp_path):
    run_import(str(onspd_file))
    moved = write_onspd(
        tmp_path / "ONSPD_LATER_UK.csv",
        [
            onspd_row("SS1 1AA", "51.600000", "0.800000"),
            onspd_row("SS1 1AB", "51.540000", "0.718000"),
        ],
    )

    run_import(str(onspd_file))
    out, _ = run_import(str(moved))

    assert Postcode.objects.count() == 4
    assert Postcode.objects.get(postcode="SS1 1AA").latitude == 51.6
    assert PostcodeDistrict.objects.get(outward="SS1").latitude == pytest.approx(51.57)
    assert "Imported 2 postcodes." in out


@pytest.mark.django_db
def test_import_writes_in_batches(onspd_file):
    out, _ = run_import(str(onspd_file), "--batch-size", "1")

    assert Postcode.objects.count() == 4
    assert "Imported 4 postcodes." in out


@pytest.mark.django_db
def test_a_postcode_repeated_in_one_batch_is_written_once(tmp_path):
    path = write_onspd(
        tmp_path / "repeated.csv",
        [onspd_row("SS1 1AA", "51.5", "0.7"), onspd_row("SS1 1AA", "51.6", "0.8")],
    )

    run_import(str(path))

    assert Postcode.objects.get(postcode="SS1 1AA").latitude == 51.6


@pytest.mark.django_db
def test_terminated_postcodes_stay_unless_asked_to_delete(onspd_file, tmp_path):
    Postcode.objects.create(postcode="SS1 9ZZ", outward="SS1", latitude=51.541, longitude=0.72)

    out, _ = run_import(str(onspd_file))
    assert Postcode.objects.filter(postcode="SS1 9ZZ").exists()
    assert "Deleted" not in out

    out, _ = run_import(str(onspd_file), "--delete-terminated")
    assert not Postcode.objects.filter(postcode="SS1 9ZZ").exists()
    assert "Deleted 1 terminated postcode." in out


@pytest.mark.django_db
def test_when_a_file_repeats_a_postcode_the_later_row_wins(tmp_path):
    path = write_onspd(
        tmp_path / "repeats.csv",
        [
            onspd_row("SS1 1AA", "51.5", "0.7"),
            onspd_row("SS1 1AA", "51.5", "0.7", doterm="202001"),
            onspd_row("SS1 1AB", "51.5", "0.7", doterm="202001"),
            onspd_row("SS1 1AB", "51.5", "0.7"),
        ],
    )

    run_import(str(path), "--delete-terminated")

    assert list(Postcode.objects.values_list("postcode", flat=True)) == ["SS1 1AB"]


@pytest.mark.django_db
def test_only_the_first_20_bad_rows_are_listed(tmp_path):
    rows = [onspd_row("SS1 1AA", "51.5", "0.7")]
    rows += [onspd_row(f"BAD{n}", "51.5", "0.7") for n in range(25)]
    path = write_onspd(tmp_path / "bad.csv", rows)

    out, err = run_import(str(path))

    assert "Line 22: 'BAD19' is not a valid postcode" in err
    assert "BAD20" not in err
    assert "... and 5 more bad rows not shown." in err
    assert "Skipped 25 bad rows." in out
    assert Postcode.objects.count() == 1


@pytest.mark.django_db
def test_a_short_row_is_a_bad_row(tmp_path):
    path = tmp_path / "short.csv"
    write_onspd(path, [onspd_row("SS1 1AA", "51.5", "0.7")])
    with path.open("a") as handle:
        handle.write('"SS1 1AB","SS1 1AB"\n\n')

    out, err = run_import(str(path))

    assert "Line 3: has 2 columns, expected at least 13" in err
    assert "Imported 1 postcode." in out


@pytest.mark.django_db
def test_header_names_are_matched_without_regard_to_case_or_a_byte_order_mark(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfPCDS,DOTERM,LAT,LONG\r\nSS1 1AA,,51.536000,0.714000\r\n")

    run_import(str(path))

    assert Postcode.objects.get().postcode == "SS1 1AA"


@pytest.mark.django_db
def test_missing_columns_are_named(tmp_path):
    path = write_onspd(tmp_path / "wrong.csv", [["SS1 1AA", "1"]], header=["pcds", "latitude"])

    with pytest.raises(CommandError, match=r"missing the columns lat, long, doterm"):
        run_import(str(path))


@pytest.mark.django_db
def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")

    with pytest.raises(CommandError, match="empty"):
        run_import(str(path))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        run_import(str(tmp_path / "nowhere.csv"))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_in_a_log_writes_a_line_every_5_percent_and_a_summary():
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(total=1000, label="Importing", stream=stream, clock=clock, tty=False)

    for _ in range(100):
        clock.now += 0.1
        progress.advance(10)
    progress.close()

    lines = stream.getvalue().splitlines()
    assert len(lines) == 21
    assert lines[0] == "Importing    5%  50 of 1,000  100/s"
    assert lines[-1] == "Importing: done, 1,000 in 10s (100/s)"


def test_progress_in_a_log_writes_a_line_after_10_quiet_seconds():
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(total=None, label="Counting", stream=stream, clock=clock, tty=False)

    clock.now = 5
    progress.advance(1)
    clock.now = 11
    progress.advance(1)

    assert stream.getvalue() == "Counting  2  0.2/s\n"


def test_progress_on_a_terminal_redraws_one_line():
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(
        total=2_000_000, label="Importing", stream=stream, clock=clock, tty=True, unit="bytes"
    )

    clock.now = 1
    progress.advance(1_000_000)
    progress.note("Line 7: bad")
    clock.now = 2
    progress.advance(1_000_000)
    progress.close()

    output = stream.getvalue()
    assert output.count("\n") == 2  # the note, and the end of the bar
    assert "\rImporting  [###############...............]   50%  1.0 MB of 2.0 MB" in output
    assert "Line 7: bad\n" in output
    assert output.endswith("100%  2.0 MB of 2.0 MB  1.0 MB/s\n")


def test_progress_says_when_it_stopped_early():
    stream = io.StringIO()

    with pytest.raises(RuntimeError), Progress(total=10, label="Job", stream=stream, tty=False):
        raise RuntimeError

    assert stream.getvalue().startswith("Job: stopped after 0 in 0s")
