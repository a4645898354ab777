"""Photos into words (issue 16, part 4): a vision model installed with its multimodal projector
(`haven model add FILE --mmproj PROJ`, checked by Haven and then by llama.cpp's libmtmd before
anything stays installed), and a `describe` job that has it describe the photos a caller may read;
each description is stored with the photo's content and indexed beside its metadata, so search
finds a photo by what the model saw, and only for those who may read the photo.

No real vision model can be obtained here (no model hub; no PyPI package ships one), so the
projector is a tiny random one (`vision_projector.py`) in front of the default text model: the
descriptions are not true to the pictures, but every step a real SmolVLM-class pair takes runs —
decoding the JPEG or PNG, encoding it, feeding its embeddings to the model, generating, storing,
indexing, searching — and the output is deterministic."""

import io
import json
import re
import struct
import time
import zlib

import pytest
import requests
from PIL import Image

from conftest import (MODEL, MODEL_FILE, assert_json_error, assert_one_line_error, bearer, create_app_token, make_home,
                      run_haven, start_server, stop_server, wait_indexed)
from vision_projector import make_projector

VISION = "eyes"


def broken_png(width=64, height=64):
    """A PNG whose header states its size but whose pixel data is not zlib: no decoder opens it."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"not deflate data") + chunk(b"IEND", b"")


def env(server):
    return {"HAVEN_HOME": str(server.home.path), "HAVEN_PORT": str(server.port)}


def picture(kind, size, colour):
    """A small gradient picture, as a camera or a screenshot tool would write it."""
    image = Image.new("RGB", size)
    image.putdata([(colour[0] * x // size[0], colour[1] * y // size[1], colour[2]) for y in range(size[1])
                   for x in range(size[0])])
    out = io.BytesIO()
    if kind == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "Haven Optics"  # Make
        exif[0x0110] = "Test Camera"  # Model
        image.save(out, "JPEG", quality=90, exif=exif)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def put(server, path, body, media_type, token=None):
    response = requests.put(server.url + "/data" + path, data=body,
                            headers={**bearer(token or server.home.token), "Content-Type": media_type}, timeout=60)
    assert response.status_code == 201, response.text


def start_job(server, data, token=None, **extra):
    return requests.post(server.url + "/haven/jobs", json={"type": "describe", "model": VISION, "data": data, **extra},
                         headers=bearer(token or server.home.token), timeout=120)


def wait_job(server, job_id, timeout=600):
    deadline = time.monotonic() + timeout
    while True:
        job = requests.get(server.url + f"/haven/jobs/{job_id}", headers=bearer(server.home.token), timeout=30).json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        assert time.monotonic() < deadline, f"the describe job did not finish: {job}"
        time.sleep(0.2)


def search(server, query, token=None):
    response = requests.get(server.url + "/haven/search", params={"q": query, "k": 10},
                            headers=bearer(token or server.home.token), timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["hits"]


def descriptions(server, job_id):
    """The descriptions in a job's log, by photo path."""
    logs = requests.get(server.url + f"/haven/jobs/{job_id}/logs", headers=bearer(server.home.token), timeout=30)
    assert logs.status_code == 200
    lines = [json.loads(line) for line in logs.text.splitlines() if line.startswith("{")]
    return {line["path"]: line for line in lines}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("describe")
    home = make_home(base / "home")
    server = start_server(home, base)
    files = base / "projectors"
    files.mkdir()
    server.projector = make_projector(str(files / "eyes.mmproj.gguf"), n_embd=576, seed=0)
    server.narrow_projector = make_projector(str(files / "narrow.mmproj.gguf"), n_embd=64, seed=0)
    # SmolVLM's projector type: it wraps images in tokens SmolLM2's vocabulary lacks.
    make_projector(str(files / "idefics3.mmproj.gguf"), n_embd=576, seed=0, projector_type="idefics3")
    added = run_haven("model", "add", MODEL_FILE, "--name", VISION, "--mmproj", str(files / "eyes.mmproj.gguf"),
                      env=env(server), timeout=300)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == VISION
    assert "can describe photos" in added.stderr
    server.files = files
    put(server, "/photos/harbour.jpg", picture("JPEG", (96, 64), (250, 120, 40)), "image/jpeg")
    put(server, "/photos/garden.png", picture("PNG", (64, 64), (30, 200, 90)), "image/png")
    # A header but no readable pixels: found by its metadata, not describable.
    put(server, "/photos/broken.png", broken_png(), "image/png")
    put(server, "/photos/readme.txt", b"Not a photo.", "text/plain")
    yield server
    stop_server(server)


def test_a_vision_model_is_installed_with_its_projector(world):
    shown = requests.get(world.url + f"/haven/models/{VISION}", headers=bearer(world.home.token), timeout=30).json()
    assert shown["projector"]["file"] == f"{VISION}.mmproj.gguf"
    assert shown["projector"]["projector_type"] == world.projector["projector_type"]
    assert (world.home.path / "models" / f"{VISION}.mmproj.gguf").is_file()
    plain = requests.get(world.url + f"/haven/models/{MODEL}", headers=bearer(world.home.token), timeout=30).json()
    assert plain.get("projector") is None


def test_a_projector_that_does_not_fit_is_refused_and_nothing_is_installed(world):
    models = world.home.path / "models"
    before = sorted(p.name for p in models.iterdir())
    narrow = run_haven("model", "add", MODEL_FILE, "--name", "narrow-eyes", "--mmproj",
                       str(world.files / "narrow.mmproj.gguf"), env=env(world), timeout=300)
    assert_one_line_error(narrow, "width")
    foreign = run_haven("model", "add", MODEL_FILE, "--name", "foreign-eyes", "--mmproj",
                        str(world.files / "idefics3.mmproj.gguf"), env=env(world), timeout=300)
    assert_one_line_error(foreign, "tokens this model's vocabulary does not have")
    not_projector = run_haven("model", "add", MODEL_FILE, "--name", "text-eyes", "--mmproj", MODEL_FILE,
                              env=env(world), timeout=300)
    assert_one_line_error(not_projector, "not a multimodal projector", "'llama'")
    over_http = requests.post(world.url + "/haven/models",
                              json={"path": MODEL_FILE, "name": "http-eyes", "mmproj": MODEL_FILE},
                              headers=bearer(world.home.token), timeout=300)
    assert_json_error(over_http, 400, "invalid_projector")
    relative = requests.post(world.url + "/haven/models", json={"path": MODEL_FILE, "name": "rel", "mmproj": "p.gguf"},
                             headers=bearer(world.home.token), timeout=60)
    assert_json_error(relative, 400, "invalid_request")
    assert sorted(p.name for p in models.iterdir()) == before
    names = {m["name"] for m in requests.get(world.url + "/haven/models", headers=bearer(world.home.token),
                                             timeout=30).json()["models"]}
    assert not names & {"narrow-eyes", "foreign-eyes", "text-eyes", "http-eyes", "rel"}
    # The server is still up and the installed vision model still works after the refusals.
    assert requests.get(world.url + f"/haven/models/{VISION}", headers=bearer(world.home.token), timeout=30).ok


def test_photos_are_described_and_found_by_what_the_model_saw(world):
    plan = start_job(world, ["/photos/"], dry_run=True)
    assert plan.status_code == 200, plan.text
    assert plan.json() == {"model": VISION, "photos": ["/photos/broken.png", "/photos/garden.png", "/photos/harbour.jpg"]}

    started = start_job(world, ["/photos/"])
    assert started.status_code == 201, started.text
    assert started.json()["type"] == "describe" and started.json()["steps"] == 3
    job = wait_job(world, started.json()["id"])
    assert job["state"] == "done", job
    assert job["step"] == 3
    assert job["message"].startswith(f"described 2 of 3 photos with {VISION}; left: /photos/broken.png"), job["message"]
    said = descriptions(world, job["id"])
    assert "could not be decoded" in said["/photos/broken.png"]["error"]
    harbour = said["/photos/harbour.jpg"]["description"]
    assert harbour and said["/photos/garden.png"]["description"]

    wait_indexed(world)
    words = sorted(set(re.findall(r"[A-Za-z]{4,}", harbour)), key=len, reverse=True)
    assert words, harbour
    hits = search(world, words[0])
    hit = next(h for h in hits if h["path"] == "/photos/harbour.jpg")
    assert "Description: " in hit["text"] and "Haven Optics" in hit["text"]

    # The same photos again: already described by this model, so kept, and the same words.
    again = wait_job(world, start_job(world, ["/photos/harbour.jpg"]).json()["id"])
    assert again["message"] == f"described 1 of 1 photos with {VISION}"
    kept = descriptions(world, again["id"])["/photos/harbour.jpg"]
    assert kept["kept"] == "described before" and kept["description"] == harbour


def test_haven_describe_lists_then_describes_and_follows_the_job(world):
    listed = run_haven("describe", "/photos/", "--model", VISION, "--dry-run", env=env(world), timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [f"Would describe 3 photo(s) with {VISION}:", "  /photos/broken.png",
                                          "  /photos/garden.png", "  /photos/harbour.jpg"]
    followed = run_haven("describe", "/photos/garden.png", "--model", VISION, env=env(world), timeout=600)
    assert followed.returncode == 0, followed.stderr
    assert followed.stdout.strip() == f"described 1 of 1 photos with {VISION}"
    assert f"describing 1 photo(s) with {VISION}" in followed.stderr
    detached = run_haven("describe", "/photos/harbour.jpg", "--model", VISION, "--detach", env=env(world), timeout=120)
    assert detached.returncode == 0, detached.stderr
    job = wait_job(world, detached.stdout.strip())
    assert job["type"] == "describe" and job["state"] == "done"
    listing = run_haven("job", "list", env=env(world), check=True)
    assert any(line.split()[:2] == [job["id"], "describe"] for line in listing.stdout.splitlines()), listing.stdout
    refused = run_haven("describe", "/photos/", "--model", MODEL, env=env(world), timeout=120)
    assert_one_line_error(refused, "vision model")


def test_describing_needs_read_on_the_photos_and_infer_on_the_model(world):
    token = create_app_token(world, "album")
    assert_json_error(start_job(world, ["/photos/harbour.jpg"], token=token, dry_run=True), 403, "infer_not_granted")
    run_haven("grant", "add", "--to", "app:album", "--rights", "infer", "--model", VISION, env=env(world), check=True)
    assert_json_error(start_job(world, ["/photos/harbour.jpg"], token=token, dry_run=True), 403, "access_denied")
    run_haven("grant", "add", "--to", "app:album", "--rights", "read", "--path", "/photos/harbour.jpg", env=env(world),
              check=True)
    allowed = start_job(world, ["/photos/harbour.jpg"], token=token, dry_run=True)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["photos"] == ["/photos/harbour.jpg"]
    # The folder is more than the grant: the whole job is refused.
    assert_json_error(start_job(world, ["/photos/"], token=token, dry_run=True), 403, "access_denied")

    # Search gives the album app the description of the photo it may read, never the other's.
    wait_indexed(world)
    owner_hits = search(world, "Description")
    assert {"/photos/harbour.jpg", "/photos/garden.png"} <= {h["path"] for h in owner_hits}
    album_hits = search(world, "Description", token=token)
    assert {h["path"] for h in album_hits} == {"/photos/harbour.jpg"}


def test_bad_describe_requests_are_refused_clearly(world):
    owner = bearer(world.home.token)
    cases = [
        ({"type": "describe", "data": ["/photos/"]}, 400, "invalid_job"),
        ({"type": "describe", "model": "ghost", "data": ["/photos/"]}, 404, "model_not_found"),
        ({"type": "describe", "model": MODEL, "data": ["/photos/"]}, 409, "no_vision_model"),
        ({"type": "describe", "model": VISION, "data": []}, 400, "invalid_job"),
        ({"type": "describe", "model": VISION, "data": ["/photos/readme.txt"]}, 400, "invalid_job"),
        ({"type": "describe", "model": VISION, "data": ["/photos/"], "steps": 5}, 400, "invalid_job"),
        ({"type": "describe", "model": VISION, "data": ["/nowhere.jpg"]}, 404, "not_found"),
        ({"type": "paint", "model": VISION, "data": ["/photos/"]}, 400, "invalid_job"),
    ]
    before = requests.get(world.url + "/haven/jobs", headers=owner, timeout=30).json()["jobs"]
    for body, status, code in cases:
        assert_json_error(requests.post(world.url + "/haven/jobs", json=body, headers=owner, timeout=60), status, code)
    assert requests.get(world.url + "/haven/jobs", headers=owner, timeout=30).json()["jobs"] == before
