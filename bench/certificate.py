"""Benchmark 5: one certificate PDF through ``CertificateRenderer.render``, next to a bare
WeasyPrint render of the same HTML, in milliseconds per certificate.

In-process, no app, no database, for each template (``--cert-templates``, default both):

1. the data: ``lms.certificates.data.SAMPLE`` (a fictional learner, one signatory);
2. ours: ``renderer.render(template, data)`` on one ``CertificateRenderer`` (as a worker keeps
   it): check the data, canonical JSON, QR code, Jinja (sandboxed), then WeasyPrint with the
   renderer's ``FontConfiguration`` and pre-parsed stylesheets, PDF/A-3b, ``certificate.json``
   attached;
3. bare (the baseline): the HTML our Jinja template produced for that data (rendered once,
   before the clock starts), made standalone by inlining the same three stylesheets (the
   Sarabun ``@font-face`` rules with absolute ``file:`` URLs, the page size, ``theme.css``) in
   a ``<style>``, then ``weasyprint.HTML(string=html, base_url=<template folder>).write_pdf()``
   with WeasyPrint's defaults: **it parses the CSS and loads the three fonts on every call**
   (a new ``FontConfiguration`` each time), no PDF/A, no attachment, the default URL fetcher;
4. floor (for reference, not the baseline): the same bare call given the renderer's
   pre-parsed stylesheets and ``FontConfiguration``: WeasyPrint's layout and PDF writing
   alone, what ours adds on top of it is our own work;
4b. signed: ours, then ``CertificateSigner.sign`` (PAdES baseline-B with pyHanko, the path
   ``store.pdf_path`` takes when signing is configured), with a throwaway RSA-2048 key and
   self-signed certificate generated at the start (no key material is kept);
5. the four alternate in four rounds (ours first, then bare first...), ``--certificates`` of
   each per template, after ``--cert-warmup`` unmeasured renders of each; each call is timed
   on its own; medians are reported, with p95;
6. before the clock starts every variant's PDF is checked: one page, fonts all Sarabun and
   the same set in all; ours carries ``certificate.json`` equal to the canonical data; the
   signed PDF starts with ours' bytes and pyHanko's validator finds its signature intact,
   valid and trusted (the throwaway certificate as the trust root).

Also shown: ``render_html`` alone (check + JSON + QR + Jinja), and the resident memory of the
process before and after ``--certificates`` more renders of ours once everything is warm (it
should not grow with the count: no per-certificate image is kept in a shared cache).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from harness import BenchError

ROUNDS = 4
TEMPLATES = ("formal-th", "bilingual")


@dataclass
class Timings:
    name: str
    seconds: list[float] = field(default_factory=list)

    def ms(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) * 1000


def _rss_mb() -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _fonts(pdf: bytes) -> set[str]:
    from pypdf import PdfReader

    reader = PdfReader(BytesIO(pdf))
    if len(reader.pages) != 1:
        raise BenchError(f"{len(reader.pages)} pages instead of 1")
    fonts = reader.pages[0]["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}


def standalone_html(renderer, template: str, data: dict) -> tuple[str, str]:
    """The HTML ``render`` lays out, with its stylesheets inlined; and its base URL."""
    from lms.certificates.render import FONT_FACE_CSS, FONTS_DIR, THEME_FILE

    metadata = renderer.metadata(template)
    fonts = FONT_FACE_CSS.replace('url("', f'url("{FONTS_DIR.as_uri()}/')
    theme = (metadata.folder / THEME_FILE).read_text(encoding="utf-8")
    html = renderer.render_html(template, data)
    if "</head>" not in html:
        raise BenchError(f"{template}: no </head> to put the styles before")
    style = f"<style>\n{fonts}{metadata.page_css}{theme}</style>\n"
    return html.replace("</head>", style + "</head>", 1), metadata.folder.as_uri() + "/"


def throwaway_signer(folder: Path):
    """A ``CertificateSigner`` with a fresh RSA-2048 key and a self-signed certificate in
    ``folder``; and the certificate's path (the trust root to validate with)."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from lms.certificates.signing import CertificateSigner

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench signer (throwaway)")])
    now = datetime.now(UTC)
    usage = dict.fromkeys(
        ("key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign"), False
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                encipher_only=False,
                decipher_only=False,
                **usage,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    signer = CertificateSigner.from_config(
        {"LMS_CERTIFICATE_SIGNING_KEY": str(key_path), "LMS_CERTIFICATE_SIGNING_CERT": str(cert_path)}
    )
    return signer, cert_path


def _check_signed(signed: bytes, unsigned: bytes, trust_root: Path, template: str) -> None:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not signed.startswith(unsigned):
        raise BenchError(f"{template}: the signed PDF does not start with the unsigned one")
    (signature,) = PdfFileReader(BytesIO(signed)).embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(trust_root)])
    if not validate_pdf_signature(signature, context).bottom_line:
        raise BenchError(f"{template}: pyHanko does not find the signature intact, valid and trusted")


def bench_template(
    renderer, template: str, args, signer, trust_root: Path
) -> tuple[Timings, Timings, Timings, Timings, Timings]:
    import weasyprint
    from pypdf import PdfReader

    from lms.certificates.data import SAMPLE, canonical_json
    from lms.certificates.render import ATTACHMENT_NAME

    html, base_url = standalone_html(renderer, template, SAMPLE)
    plain_html = renderer.render_html(template, SAMPLE)
    loaded = renderer._template(template)  # the pre-parsed stylesheets, for the floor only
    stylesheets = [renderer._fonts_css, *loaded.stylesheets]

    def ours() -> bytes:
        return renderer.render(template, SAMPLE)

    def bare() -> bytes:
        return weasyprint.HTML(string=html, base_url=base_url).write_pdf()

    def floor() -> bytes:
        return weasyprint.HTML(string=plain_html, base_url=base_url, url_fetcher=loaded.fetcher).write_pdf(
            stylesheets=stylesheets, font_config=renderer.font_config
        )

    def signed() -> bytes:
        return signer.sign(renderer.render(template, SAMPLE), SAMPLE)

    variants = {"ours": ours, "bare": bare, "floor": floor, "signed": signed}
    fonts = {name: _fonts(call()) for name, call in variants.items()}
    if not fonts["ours"] or any("Sarabun" not in font for font in fonts["ours"]):
        raise BenchError(f"{template}: ours uses fonts {sorted(fonts['ours'])}, not only Sarabun")
    if len({frozenset(found) for found in fonts.values()}) != 1:
        raise BenchError(f"{template}: the variants use different fonts: {fonts}")
    (attached,) = PdfReader(BytesIO(ours())).attachments[ATTACHMENT_NAME]
    if attached != canonical_json(SAMPLE):
        raise BenchError(f"{template}: certificate.json is not the canonical data")
    _check_signed(signed(), ours(), trust_root, template)

    for _ in range(args.cert_warmup):
        for call in variants.values():
            call()
    timings = {name: Timings(name) for name in variants}
    order = list(variants)
    shares = [
        args.certificates // ROUNDS + (1 if i < args.certificates % ROUNDS else 0) for i in range(ROUNDS)
    ]
    for number, share in enumerate(shares):
        for name in order if number % 2 == 0 else order[::-1]:
            call, seconds = variants[name], timings[name].seconds
            for _ in range(share):
                started = time.perf_counter()
                call()
                seconds.append(time.perf_counter() - started)

    html_only = Timings("render_html")
    for _ in range(max(50, args.certificates)):
        started = time.perf_counter()
        renderer.render_html(template, SAMPLE)
        html_only.seconds.append(time.perf_counter() - started)
    return timings["ours"], timings["bare"], timings["floor"], timings["signed"], html_only


def run(args) -> int:
    from importlib.metadata import version

    from lms.certificates.data import SAMPLE
    from lms.certificates.render import CertificateRenderer

    templates = args.cert_templates
    renderer = CertificateRenderer()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="lms-bench-signer-") as folder:
            signer, trust_root = throwaway_signer(Path(folder))
            for template in templates:
                results.append((template, *bench_template(renderer, template, args, signer, trust_root)))
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    rss_before = _rss_mb()
    for _ in range(args.certificates):
        renderer.render(templates[0], SAMPLE)
    rss_after = _rss_mb()

    print(
        f"load:     {args.certificates} certificates per variant and template after {args.cert_warmup} "
        f"warm-up, alternated in {ROUNDS} rounds; in-process, one thread"
    )
    print(
        f"software: WeasyPrint {version('weasyprint')}, Jinja2 {version('jinja2')}, "
        f"segno {version('segno')}, pyHanko {version('pyhanko')}"
    )
    print()
    print(
        f"{'template':<10} {'ours ms':>8} {'p95':>6} {'bare ms':>8} {'p95':>6} {'ratio ours/bare':>15} "
        f"{'floor ms':>9} {'ours/floor':>10} {'html ms':>8} {'signed ms':>9} {'p95':>6} {'signed/bare':>11}"
    )
    for template, ours, bare, floor, signed, html_only in results:
        print(
            f"{template:<10} {ours.median:>8.1f} {ours.ms(95):>6.1f} {bare.median:>8.1f} {bare.ms(95):>6.1f} "
            f"{ours.median / bare.median:>15.3f} {floor.median:>9.1f} {ours.median / floor.median:>10.3f} "
            f"{html_only.median:>8.2f} {signed.median:>9.1f} {signed.ms(95):>6.1f} "
            f"{signed.median / bare.median:>11.3f}"
        )
    print("(medians, ms per certificate; bare parses the CSS and loads the fonts on every call,")
    print(" floor reuses ours; html = render_html alone: check + JSON + QR + Jinja;")
    print(" signed = ours + a PAdES signature with a throwaway RSA-2048 key)")
    if rss_before is not None and rss_after is not None:
        growth = (rss_after - rss_before) * 1024 / args.certificates
        print(
            f"memory:   resident {rss_before:.1f} MB, then {rss_after:.1f} MB after {args.certificates} more "
            f"renders of {templates[0]} ({growth:+.1f} kB per render)"
        )
    print(
        "every variant's PDF was checked: one page, Sarabun only, certificate.json attached (ours), "
        "signature intact, valid and trusted (signed)"
    )
    return 0
