"""Benchmark (d): report cards, rendered and signed.

A throw-away database gets the test world and a class (6A2) of ``--pupils`` pupils (default 40)
whose gradebook year is filled and closed; ``manage.py reportcards_test_ca``'s code issues the
school's test certificates (EC P-256: homeroom teacher, principal, seal). Measured, each against
a **baseline in the same run**:

* one card: ``report_card_pdf`` (the RENDER helper's, from the database) + three PAdES
  signatures through ``sign_pdf`` (certificate checks, chain, role attribute, bytes_reserved),
  vs bare ReportLab drawing a one-page A4 15×5 table in DejaVu Sans + one bare pyHanko
  signature (same EC key, loaded once, bytes_reserved set);
* one signature: ``sign_pdf`` on a rendered card vs the bare pyHanko signature;
* validation of a three-signature card (``validate_pdf``: trust, CRL, diff analysis) vs
  pyHanko validating the bare one-signature document against the same root;
* opening the PKCS#12 key for every document vs once per batch (DESIGN §5);
* a ``--batch``-card school batch (default 1,000; the class's pupils cycled, every card
  rendered from the database and signed three times, keys opened once), vs the bare
  table + signature per card measured on a sample in the same run.

``--tsa`` adds an RFC 3161 timestamp from the local fake TSA to every signature.
Options: ``--repeat N`` (default 5), ``--pupils N``, ``--batch N``.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

NAMES = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga", "Phúc"]


def _options(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_reportcards")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pupils", type=int, default=40)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--tsa", action="store_true")
    return parser.parse_args(args)


def bare_table_pdf() -> bytes:
    """The baseline document: one A4 page, a 15×5 table, DejaVu Sans (no project code)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    from truongso.core.pdf import FONT, register_fonts

    register_fonts()
    rows = [["Môn học", "Học kì I", "Học kì II", "Cả năm", "Nhận xét"]]
    rows += [[f"Môn {i + 1}", "8,5", "9,0", "8,8", "Đạt"] for i in range(14)]
    table = Table(rows)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT)]))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4).build([table])
    return buffer.getvalue()


def bare_sign(pdf: bytes, signer: Any, timestamper: Any = None) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = io.BytesIO()
    signers.PdfSigner(
        signers.PdfSignatureMetadata(field_name="Sig"), signer=signer, timestamper=timestamper
    ).sign_pdf(writer, output=out, bytes_reserved=16384 if timestamper else 8192)
    return out.getvalue()


def main(args: list[str]) -> list[common.Result]:
    opts = _options(args)
    common.setup_django()

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.validation import validate_pdf_signature

    from truongso.gradebook.tests.yearbook import Pupil, admit, fill_year
    from truongso.reportcards.render import report_card_pdf
    from truongso.reportcards.signing import sign_pdf, testca, validate_pdf
    from truongso.reportcards.signing.fake_tsa import fake_tsa, serve_fake_tsa
    from truongso.reportcards.signing.timestamps import HttpTimeStamper
    from truongso.reportcards.signing.validate import validation_context
    from truongso.testing.world import build_world

    world = build_world()
    started = time.perf_counter()
    extra = max(opts.pupils - 1, 0)
    pupils = [world.students["chi"]] + [
        admit(world.class_6a2, f"Học Sinh {NAMES[i % 11]} {NAMES[i // 11 % 11]}")
        for i in range(extra)
    ]
    fill_year(world.class_6a2, {p: Pupil(default="8.5") for p in pupils}, world.users["principal"])
    issued = {c.kind: c for c in testca.issue_school(world.school_a)}
    took = time.perf_counter() - started
    print(f"  set-up: {len(pupils)} pupils, year closed, certificates: {took:.1f} s")

    code = world.school_a.code
    backends = [
        (issued[kind].backend(code), field, role)
        for kind, field, role in (
            ("homeroom", "GVCN", "Giáo viên chủ nhiệm"),
            ("principal", "HieuTruong", "Hiệu trưởng"),
            ("seal", "ConDau", "Con dấu tổ chức"),
        )
    ]
    seal = issued["seal"]
    bare_signer = SimpleSigner.load_pkcs12_data(
        seal.path(code).read_bytes(), (), passphrase=seal.passphrase.encode()
    )

    tsa_server = serve_fake_tsa(fake_tsa()) if opts.tsa else None
    url = tsa_server.__enter__() if tsa_server else ""

    def stamper() -> Any:
        return HttpTimeStamper(url, timeout=10) if url else None

    def one_signature(pdf: bytes, backend: Any, field: str, role: str) -> bytes:
        return sign_pdf(
            pdf,
            backend=backend,
            field_name=field,
            signer_role=role,
            reason="Xác nhận học bạ năm học 2025–2026",
            location="Quỳnh Phụ, Thái Bình",
            timestamper=stamper(),
        )

    def card(student: Any) -> bytes:
        pdf = report_card_pdf(student, world.year)
        for backend, field, role in backends:
            pdf = one_signature(pdf, backend, field, role)
        return pdf

    def bare_card() -> bytes:
        return bare_sign(bare_table_pdf(), bare_signer, stamper())

    results: list[common.Result] = []
    try:
        signed = card(pupils[0])  # warm-up: fonts, keys, imports
        bare = bare_card()
        assert validate_pdf(signed).valid, validate_pdf(signed).problems

        t_card = common.best_of(opts.repeat, lambda: card(pupils[0]))
        t_bare = common.best_of(opts.repeat, bare_card)
        results.append(
            common.Result.of(
                "reportcards: render + 3 signatures, one card", t_card * 1000, "ms", t_bare * 1000
            )
        )

        rendered = report_card_pdf(pupils[0], world.year)
        table = bare_table_pdf()
        t_sig = common.best_of(opts.repeat * 4, lambda: one_signature(rendered, *backends[2]))
        t_bare_sig = common.best_of(
            opts.repeat * 4, lambda: bare_sign(table, bare_signer, stamper())
        )
        results.append(
            common.Result.of(
                "reportcards: one PAdES signature (sign_pdf)", t_sig * 1000, "ms", t_bare_sig * 1000
            )
        )

        t_render = common.best_of(opts.repeat, lambda: report_card_pdf(pupils[0], world.year))
        t_table = common.best_of(opts.repeat * 4, bare_table_pdf)
        results.append(
            common.Result.of(
                "reportcards: render one card (report_card_pdf)",
                t_render * 1000,
                "ms",
                t_table * 1000,
            )
        )

        def bare_validate() -> None:
            [embedded] = PdfFileReader(io.BytesIO(bare)).embedded_signatures
            status = validate_pdf_signature(
                embedded, signer_validation_context=validation_context()
            )
            assert status.bottom_line

        t_val = common.best_of(opts.repeat * 2, lambda: validate_pdf(signed))
        t_bare_val = common.best_of(opts.repeat * 2, bare_validate)
        results.append(
            common.Result.of(
                "reportcards: validate a 3-signature card", t_val * 1000, "ms", t_bare_val * 1000
            )
        )

        docs = 20

        def key_each_time() -> None:
            for _ in range(docs):
                backend = issued["seal"].backend(code)
                one_signature(rendered, backend, "ConDau", "Con dấu tổ chức")

        def key_once() -> None:
            backend = issued["seal"].backend(code)
            for _ in range(docs):
                one_signature(rendered, backend, "ConDau", "Con dấu tổ chức")

        t_each = common.best_of(2, key_each_time) / docs
        t_once = common.best_of(2, key_once) / docs
        results.append(
            common.Result.of(
                "reportcards: PKCS#12 opened per document", t_each * 1000, "ms", t_once * 1000
            )
        )

        sample = min(opts.batch, 50)
        with common.timer() as elapsed:
            for _ in range(sample):
                bare_card()
        bare_per_card = elapsed() / sample
        render_time = sign_time = 0.0
        for i in range(opts.batch):
            t0 = time.perf_counter()
            pdf = report_card_pdf(pupils[i % len(pupils)], world.year)
            t1 = time.perf_counter()
            for backend, field, role in backends:
                pdf = one_signature(pdf, backend, field, role)
            t2 = time.perf_counter()
            render_time += t1 - t0
            sign_time += t2 - t1
        total = render_time + sign_time
        print(
            f"  batch of {opts.batch}: {total:.1f} s (render {render_time:.1f} s, "
            f"3 signatures {sign_time:.1f} s), {opts.batch / total:.1f} cards/s"
        )
        results.append(
            common.Result.of(
                f"reportcards: batch of {opts.batch} cards, per card",
                total / opts.batch * 1000,
                "ms",
                bare_per_card * 1000,
            )
        )
        results.append(
            common.Result.of(
                f"reportcards: batch of {opts.batch}, signing part per card",
                sign_time / opts.batch * 1000,
                "ms",
                bare_per_card * 1000,
            )
        )
    finally:
        if tsa_server:
            tsa_server.__exit__(None, None, None)
        for backend, _f, _r in backends:
            backend.close()
    return results
