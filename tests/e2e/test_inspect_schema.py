"""`scute inspect --json` output validated against its published JSON Schema
(docs/schemas/inspect-v1.schema.json) on every kind of test image."""

import json
import os

import jsonschema
import pytest

from conftest import CHECKOUT, image_ref, inspect_json

SCHEMA_PATH = os.path.join(CHECKOUT, "docs", "schemas", "inspect-v1.schema.json")


@pytest.fixture(scope="module")
def validator():
    with open(SCHEMA_PATH) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def check(validator, doc):
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join("%s: %s" % ("/".join(map(str, e.path)), e.message) for e in errors[:20])


def test_schema_debian_all_transports(validator, debian_dir):
    for transport in ("oci", "oci-archive", "docker-archive"):
        check(validator, inspect_json(image_ref(transport, debian_dir), "--files"))


def test_schema_layers_and_zstd(validator, layers_dir, zstd_dir):
    check(validator, inspect_json(image_ref("oci", layers_dir), "--files"))
    check(validator, inspect_json(image_ref("oci", zstd_dir)))


def test_schema_index(validator, index_dir):
    doc = inspect_json(image_ref("oci", index_dir), "--platform", "linux/arm64/v8")
    check(validator, doc)
    assert doc["index"] is not None


def test_schema_rejects_drift(validator, debian_dir):
    """The schema is strict: an unknown field or a wrong type fails, so a
    change to the output cannot slip past this test unnoticed."""
    doc = inspect_json(image_ref("oci", debian_dir))
    doc["unexpected"] = 1
    assert list(validator.iter_errors(doc))
    doc = inspect_json(image_ref("oci", debian_dir))
    doc["totals"]["files"] = "many"
    assert list(validator.iter_errors(doc))
