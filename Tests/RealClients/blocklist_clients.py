"""Real clients against a live `herdwatch serve` on 127.0.0.1: Mastodon.py 2.3.3 and FediBlockHole 0.4.6.

Run by Tests/ServerTests/BlocklistClientTests.swift with the venv `make pydeps` creates (.build/python-venv):
    python blocklist_clients.py MODE PORT TOKEN WORKDIR
Each mode checks its results exactly and exits 1 with what differed; the Swift test then reads the server's list
back on its own.
"""
import csv
import subprocess
import sys
from pathlib import Path


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def expect(actual, expected, what):
    if actual != expected:
        fail(f"{what}: expected {expected!r}, got {actual!r}")


def mastodonpy(port, token, workdir):
    from mastodon import Mastodon

    api = Mastodon(access_token=token, api_base_url=f"http://127.0.0.1:{port}", version_check_mode="none")
    created = api.admin_create_domain_block(
        "Spam.Example", severity="suspend", reject_media=True, private_comment="case 12", public_comment="spam")
    expect(created["domain"], "spam.example", "created domain")
    expect(created["severity"], "suspend", "created severity")
    expect(created["reject_media"], True, "created reject_media")
    expect(created["reject_reports"], False, "created reject_reports")
    second = api.admin_create_domain_block("quiet.example", severity="silence", obfuscate=True)
    try:
        api.admin_create_domain_block("spam.example")
        fail("a duplicate was accepted")
    except Exception as error:
        expect(error.args[1], 422, "duplicate status")
    listed = api.admin_domain_blocks()
    expect(sorted(block["domain"] for block in listed), ["quiet.example", "spam.example"], "listed domains")
    expect(api.admin_domain_blocks(id=created["id"])["private_comment"], "case 12", "shown private comment")
    updated = api.admin_update_domain_block(second["id"], severity="suspend", public_comment="now suspended")
    expect((updated["domain"], updated["severity"], updated["public_comment"], updated["obfuscate"]),
           ("quiet.example", "suspend", "now suspended", True), "updated block")
    api.admin_delete_domain_block(created["id"])
    expect([(block["domain"], block["severity"]) for block in api.admin_domain_blocks()],
           [("quiet.example", "suspend")], "after delete")
    try:
        api.admin_domain_blocks(id=created["id"])
        fail("a deleted block was still shown")
    except Exception as error:
        expect(error.args[1], 404, "deleted block status")


def fediblockhole(workdir, config):
    path = Path(workdir) / "fediblockhole.conf.toml"
    path.write_text(config)
    run = subprocess.run(
        [str(Path(sys.executable).parent / "fediblock-sync"), "-c", str(path)], capture_output=True, text=True,
        timeout=600)
    if run.returncode != 0:
        fail(f"fediblock-sync exited {run.returncode}:\n{run.stdout}\n{run.stderr}")
    return run


def merged(workdir):
    with open(Path(workdir) / "merged.csv", newline="") as file:
        return sorted((row["domain"], row["severity"]) for row in csv.DictReader(file))


def source(port, token, workdir):
    """Herdwatch as a paginated admin-API instance source: every one of its blocks, exactly."""
    fediblockhole(workdir, f"""
blocklist_instance_sources = [ {{ domain = '127.0.0.1:{port}', scheme = 'http', token = '{token}', admin = true }} ]
blocklist_url_sources = []
blocklist_instance_destinations = []
no_push_instance = true
savedir = '{workdir}'
blocklist_savefile = '{workdir}/merged.csv'
""")
    expected = sorted([(f"d{number:03}.example", "suspend" if number % 3 else "silence") for number in range(250)])
    expect(merged(workdir), expected, "merged from the instance source")


def urls(port, token, workdir):
    """Herdwatch's published files as URL sources, one run per CSV format."""
    expected = sorted([(f"d{number:03}.example", "suspend" if number % 3 else "silence") for number in range(250)])
    # Plain text is not among them: FediBlockHole's only domain-per-line reader (rapidblock.csv) splits on CRLF.
    for name, reader in [("mastodon", "mastodon_csv"), ("fediblockhole", "csv"), ("gotosocial", "mastodon_csv")]:
        fediblockhole(workdir, f"""
blocklist_url_sources = [ {{ url = 'http://127.0.0.1:{port}/herdwatch/blocklist.csv?format={name}', format = '{reader}' }} ]
blocklist_instance_sources = []
blocklist_instance_destinations = []
no_push_instance = true
savedir = '{workdir}'
blocklist_savefile = '{workdir}/merged.csv'
""")
        # GoToSocial's view carries suspensions only.
        want = [row for row in expected if row[1] == "suspend"] if name == "gotosocial" else expected
        expect(merged(workdir), want, f"merged from the {name} URL")


def push(port, token, workdir):
    """Herdwatch as a push destination: FediBlockHole adds, escalates (after asking measures) and never deletes."""
    (Path(workdir) / "push.csv").write_text(
        "domain,severity,public_comment,private_comment,reject_media,reject_reports,obfuscate\n"
        "new.example,suspend,spam,,False,False,False\n"
        "d001.example,suspend,,,False,False,False\n"
        "d000.example,suspend,escalated,,True,False,False\n"
        "D003.Example,silence,,,False,False,False\n")
    fediblockhole(workdir, f"""
blocklist_url_sources = [ {{ url = 'file://{workdir}/push.csv', format = 'csv' }} ]
blocklist_instance_sources = []
blocklist_instance_destinations = [ {{ domain = '127.0.0.1:{port}', scheme = 'http', token = '{token}', max_followed_severity = 'silence' }} ]
import_fields = ['public_comment', 'reject_media']
savedir = '{workdir}'
blocklist_savefile = '{workdir}/merged.csv'
""")


modes = {"mastodonpy": mastodonpy, "source": source, "urls": urls, "push": push}
if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in modes:
        fail(f"usage: {sys.argv[0]} {'|'.join(modes)} PORT TOKEN WORKDIR")
    modes[sys.argv[1]](sys.argv[2], sys.argv[3], sys.argv[4])
    print("ok")
