#!/usr/bin/env python3
"""Regenerate sagemaker-fake-extra.json from botocore's SageMaker service model.

The extra file holds the operations that the apps extract (sagemaker-apps-model.json) lacks and
every shape they reach that the extract does not define, with documentation removed, so that the
two files form one model. Run it from this folder with the python3 whose botocore is the source:

    python3 extract.py > sagemaker-fake-extra.json

It reads botocore/data/sagemaker/2017-07-24/service-2.json(.gz) of the installed botocore.
"""
import gzip
import json
import os
import sys

import botocore

OPERATIONS = [
    "AddTags", "CreateDomain", "CreatePresignedDomainUrl", "CreateSpace", "CreateUserProfile",
    "DeleteSpace", "DeleteTags", "DeleteUserProfile", "ListSpaces", "ListTags", "ListUserProfiles",
    "UpdateSpace",
]


def load_service():
    base = os.path.join(os.path.dirname(botocore.__file__), "data", "sagemaker", "2017-07-24", "service-2.json")
    if os.path.exists(base):
        with open(base, encoding="utf-8") as f:
            return json.load(f)
    with gzip.open(base + ".gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def strip_docs(value):
    if isinstance(value, dict):
        return {k: strip_docs(v) for k, v in value.items() if k not in ("documentation", "documentationUrl")}
    if isinstance(value, list):
        return [strip_docs(v) for v in value]
    return value


def referenced(shape):
    names = []
    for member in shape.get("members", {}).values():
        names.append(member["shape"])
    for key in ("member", "key", "value"):
        if key in shape:
            names.append(shape[key]["shape"])
    return names


def main():
    service = load_service()
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "sagemaker-apps-model.json"), encoding="utf-8") as f:
        have = set(json.load(f)["shapes"])
    operations, shapes, todo = {}, {}, []
    for name in OPERATIONS:
        op = strip_docs(service["operations"][name])
        operations[name] = op
        for key in ("input", "output"):
            if key in op:
                todo.append(op[key]["shape"])
        todo.extend(e["shape"] for e in op.get("errors", []))
    while todo:
        name = todo.pop()
        if name in have or name in shapes:
            continue
        shapes[name] = strip_docs(service["shapes"][name])
        todo.extend(referenced(shapes[name]))
    out = {
        "metadata": {
            "note": "operations and shapes that the apps extract lacks; documentation removed",
            "source": "botocore %s service-2.json (sagemaker 2017-07-24)" % botocore.__version__,
        },
        "operations": dict(sorted(operations.items())),
        "shapes": dict(sorted(shapes.items())),
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
