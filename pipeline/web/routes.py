"""The pages of `hoso web`. Each route calls the library as the CLI does and maps its
results and problems onto HTML; the files on disk stay the truth."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import tomlkit
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from jinja2 import pass_context
from tomlkit.items import AoT
from werkzeug.wrappers import Response as BaseResponse

from pipeline.archive.diff import diff_lines
from pipeline.archive.versions import diff_versions, history, issue
from pipeline.common import limits
from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.common.vnformat import ascii_slug, upper_first
from pipeline.files.outputset import locked
from pipeline.model import scorecard
from pipeline.model.dataset import DATA_NAME
from pipeline.model.documents import catalogue
from pipeline.model.dossier import Dossier
from pipeline.model.labels import BASE_WORDS
from pipeline.model.layout import VILLAGE_FOLDER, WORKBOOK_NAME
from pipeline.model.profile import Unit, load_profile
from pipeline.model.units import all_levels
from pipeline.sign.dossier import issue_keys, sign_outputs
from pipeline.sign.keys import typed_answers
from pipeline.sign.status import (
    KEY_FILE_BYTES,
    TITLES,
    KeyOffer,
    dossier_signing,
    issue_offers,
    open_page_key,
)
from pipeline.stages import forms
from pipeline.stages.forms import write_forms
from pipeline.stages.ingest import MISSING_VILLAGE, NOT_RECEIVED, error_copy_path, ingest_to
from pipeline.stages.init import init_dossier
from pipeline.stages.pdf import find_soffice, pdf_dossier
from pipeline.stages.render import render
from pipeline.stages.score import PROFILE_SECTIONS as SCORE_SECTIONS
from pipeline.stages.score import override_problems, score
from pipeline.web import files, profile_form, stale, words
from pipeline.web.jobs import Job, Say
from pipeline.web.state import State

bp = Blueprint("web", __name__)

_INIT_FIELDS = {
    "--cap": "cap",
    "--cap-thon": "cap_thon",
    "--nam": "nam",
    "--huyen": "huyen",
    "--loai": "loai",
}


def _state() -> State:
    state: State = current_app.extensions["hoso"]
    return state


def _dossier(name: str) -> Path:
    path = files.dossier_path(_state().root, name)
    if path is None:
        abort(404)
    return path


def _page(template: str, name: str | None = None, **context: Any) -> str:
    """A page; a dossier's pages know its words (how to name the unit and its villages)."""
    if name is not None:
        dossier = _dossier(name)
        context.setdefault("w", profile_form.words_of(dossier))
        context.setdefault("name", name)
    return render_template(template, csrf=session.get("csrf", ""), **context)


@bp.app_template_filter("page")
@pass_context
def _page_problems(context: Any, problems: list[Problem]) -> list[words.Shown]:
    """Problems in the page's words (a filter: every table and message of problems)."""
    name = context.get("name")
    dossier = files.dossier_path(_state().root, name) if name else None
    unit = context.get("w") or BASE_WORDS
    labels = profile_form.labels(dossier) if dossier is not None else {}
    state = _state()
    places = (dossier, state.out(dossier) if dossier else None, state.root, state.outputs,
              state.archive)  # fmt: skip
    roots = tuple(r for r in places if r is not None)
    return [words.problem(p, unit, labels, roots) for p in problems]


@bp.app_template_filter("chu")
@pass_context
def _page_text(context: Any, said: str) -> str:
    """A message of the library (a job's error) in the page's words."""
    return "; ".join(s.message for s in _page_problems(context, [Problem("", str(said))]))


def _said(exc: InputError | EnvironmentProblem) -> str:
    """An exception's message and hint in the page's words, for a flash."""
    if isinstance(exc, EnvironmentProblem):
        problems = [Problem.of("moi-truong", hint=exc.hint, message=exc.message)]
    else:
        problems = exc.problems
    name = request.view_args.get("name") if request.view_args else None
    context = {"name": name, "w": profile_form.words_of(_dossier(name)) if name else None}
    return " ".join(
        f"{s.message}{' — ' + s.hint if s.hint else ''}." for s in _page_problems(context, problems)
    )


def _paper(path: Path | str) -> str:
    """A paper's name as the page lists it ("Kế hoạch"), from its file."""
    stem = Path(path).stem
    return next((d.name for d in catalogue().values() if Path(d.file).stem == stem), stem)


@bp.app_template_filter("gio")
def _local_time(iso: str) -> str:
    return words.local_time(iso)


def _htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


@bp.get("/song")
def ping() -> Response:
    """The page's heartbeat: the server is up and the clerk's session still opens it."""
    return Response(status=204)


# --- dossiers ----------------------------------------------------------------------------------


@bp.get("/")
def home() -> str:
    rows = []
    for path in files.dossiers(_state().root):
        loaded = _state().dossier(path)
        # Its unit and year (which tells this year's dossier from last year's of one unit),
        # read once; a [don_vi] with problems shows the folder's name.
        try:
            unit: Unit | None = loaded.profile(sections=("don_vi",)).don_vi
        except InputError:
            unit = None
        out = _state().out(path)
        rows.append(
            {
                "name": path.name,
                "unit": unit.words.don_vi if unit and unit.words.ten else path.name,
                "year": unit.nam if unit else None,
                "data": (out / DATA_NAME).is_file(),
                "card": _load_card(out / scorecard.SCORECARD_NAME),
                "fresh": stale.of(loaded),
            }
        )
    return _page("home.html", rows=rows, root=_state().root)


def _load_card(path: Path) -> scorecard.Scorecard | None:
    try:
        return scorecard.load(path) if path.is_file() else None
    except InputError:
        return None


def _new_defaults() -> dict[str, str]:
    return {
        "cap": "xã",
        "cap_thon": "",
        "tinh": "",
        "huyen": "",
        "xa": "",
        "loai": "",
        "nam": str(date.today().year),
        "thon": "",
        "thu_muc": "",
    }


def _new_page(
    values: dict[str, str], errors: dict[str, list[Problem]], other: list[Problem]
) -> str:
    # The recognition categories with their thresholds; "" lets hoso choose when the unit's
    # kind and place decide it (and refuse when they do not).
    kinds = profile_form.category_options()
    return _page(
        "new.html", values=values, errors=errors, other=other, levels=all_levels(), kinds=kinds
    )


@bp.get("/moi")
def new_form() -> str:
    return _new_page(_new_defaults(), {}, [])


@bp.post("/moi")
def new_create() -> BaseResponse | str:
    values = {k: request.form.get(k, "").strip() for k in _new_defaults()}
    errors: dict[str, list[Problem]] = {}
    other: list[Problem] = []
    year = int(values["nam"]) if values["nam"].isdigit() else None
    if year is None:
        errors["nam"] = [Problem.of("khong-hop-le", variant="nam", hint="ví dụ 2025.")]
    if not values["xa"]:
        errors["xa"] = [Problem.of("chua-dien", variant="o-trong", hint='ví dụ "Bình Trung".')]
    villages = profile_form._lines(values["thon"])
    folder = values["thu_muc"] or f"{ascii_slug(values['xa'], default='ho-so')}-{values['nam']}"
    if not files.valid_folder_name(folder):
        errors["thu_muc"] = [
            Problem.of(
                "ten-thu-muc",
                hint="chỉ dùng chữ thường không dấu, chữ số và gạch ngang, ví dụ binh-trung-2025.",
                folder=folder,
            )
        ]
    target = _state().root / folder
    if not errors and year is not None:
        try:
            init_dossier(
                target,
                xa=values["xa"],
                tinh=values["tinh"],
                huyen=values["huyen"],
                nam=year,
                cap=values["cap"],
                cap_thon=values["cap_thon"],
                loai=values["loai"],
            )
        except InputError as exc:
            for p in exc.problems:
                key = _INIT_FIELDS.get(p.field or "", "thu_muc" if p.code == "da-co-ho-so" else "")
                (errors.setdefault(key, []) if key else other).append(p)
        except EnvironmentProblem as exc:
            other.append(Problem.of("moi-truong", hint=exc.hint, message=exc.message))
        else:
            if villages:
                loaded = profile_form.read(target)
                field = profile_form.Field("don_vi.thon", "", "list")
                profile_form.apply(loaded.doc, {"don_vi.thon": values["thon"]}, [field])
                profile_form.save(loaded)
            flash("Đã tạo hồ sơ. Điền các mục còn thiếu rồi bấm Lưu.")
            return redirect(url_for("web.profile", name=folder), 303)
    return Response(_new_page(values, errors, other), status=422)


# --- a new year's dossier from last year's (pipeline/stages/carry.py) ------------------------


_YEAR_FIELDS = ("xa", "cap", "nam", "thu_muc")


@bp.get("/nam-moi")
def new_year_form() -> str:
    values = dict.fromkeys(_YEAR_FIELDS, "")
    return _page("new_year.html", values=values, chosen=[], problems=[], **_year_choices())


def _year_choices() -> dict[str, Any]:
    rows = [(p.name, profile_form.words_of(p).don_vi) for p in files.dossiers(_state().root)]
    return {"dossiers": rows, "levels": all_levels()}


@bp.post("/nam-moi")
def new_year_create() -> BaseResponse | str:
    from pipeline.stages.carry import new_year

    values = {k: request.form.get(k, "").strip() for k in _YEAR_FIELDS}
    chosen = request.form.getlist("tu")
    problems: list[Problem] = []
    last = [files.dossier_path(_state().root, n) for n in chosen]
    if not chosen or None in last:
        problems.append(Problem.of("chua-chon"))
    if values["nam"] and not values["nam"].isdigit():
        problems.append(
            Problem.of("khong-hop-le", variant="nam", hint="ví dụ 2026, hoặc để trống.")
        )
    folder = values["thu_muc"]
    if not files.valid_folder_name(folder):
        problems.append(
            Problem.of(
                "ten-thu-muc",
                hint="chỉ dùng chữ thường không dấu, chữ số và gạch ngang, ví dụ tan-phu-2026.",
                folder=folder,
            )
        )
    if not problems:
        try:
            result = new_year(
                _state().root / folder,
                [(d, _state().out(d)) for d in last if d is not None],
                nam=int(values["nam"]) if values["nam"] else None,
                xa=values["xa"],
                cap=values["cap"],
            )
        except InputError as exc:
            problems += exc.problems
        except EnvironmentProblem as exc:
            problems.append(Problem.of("moi-truong", hint=exc.hint, message=exc.message))
        else:
            flash("Đã tạo hồ sơ năm mới từ hồ sơ năm trước.")
            for line in result.changed:
                flash(f"Đã thay đổi: {line}")
            for line in result.to_fill:
                flash(f"Cần điền: {line}")
            for line in result.unmapped:
                flash(f"Chưa ghép (sửa bảng nam-truoc.xlsx trong thư mục hồ sơ): {line}", "loi")
            return redirect(url_for("web.profile", name=folder), 303)
    html = _page(
        "new_year.html", values=values, chosen=chosen, problems=problems, **_year_choices()
    )
    return Response(html, status=422)


# --- end of a new year's dossier --------------------------------------------------------------


@bp.get("/hs/<name>/")
def overview(name: str) -> str:
    dossier = _dossier(name)
    out = _state().out(dossier)
    words = profile_form.words_of(dossier)
    steps = {
        "profile": len(profile_form.problems_of(dossier)),
        "workbooks": len(files.workbooks(dossier)),
        "papers": [p for p in files.output_names() if p.endswith(".docx") and (out / p).is_file()],
    }
    loaded = _state().dossier(dossier)
    villages = _villages(loaded)
    card = _load_card(out / scorecard.SCORECARD_NAME)
    return _page("overview.html", name, steps=steps, card=card, villages=villages, w=words,
                 fresh=stale.of(loaded))  # fmt: skip


def _villages(dossier: Dossier) -> int:
    try:
        return len(dossier.profile(sections=("don_vi",)).don_vi.thon)
    except InputError:
        return 0


# --- the profile -------------------------------------------------------------------------------


@bp.get("/hs/<name>/thong-tin")
def profile(name: str) -> str:
    dossier = _dossier(name)
    try:
        loaded = profile_form.read(dossier)
    except InputError as exc:
        return _page("profile_broken.html", name, problems=exc.problems)
    return _profile_page(name, dossier, loaded)


def _profile_page(
    name: str,
    dossier: Path,
    loaded: profile_form.Loaded,
    conflict: dict[str, Any] | None = None,
) -> str:
    words = profile_form.words_of(dossier)
    sections = profile_form.sections(loaded.doc, words)
    fields = [f for s in sections for f in s.all_fields()]
    values = profile_form.values(loaded.doc, fields)
    if conflict is not None:
        values.update(conflict["kept"])
    placed = profile_form.place(profile_form.problems_of(dossier), sections)
    _state().remember(loaded.digest, loaded.text)
    return _page(
        "profile.html",
        name,
        sections=sections,
        values=values,
        placed=placed,
        digest=loaded.digest,
        conflict=conflict,
        w=words,
    )


def _conflict(dossier: Path, now: profile_form.Loaded, form: dict[str, str]) -> dict[str, Any]:
    """A save refused because the file changed since the form was opened: what the other
    edit changed (from the text the form was opened on), and the clerk's own changes, kept
    on top of the file as it is now so saving again loses neither."""
    sections = profile_form.sections(now.doc, profile_form.words_of(dossier))
    fields = [f for s in sections for f in s.all_fields()]
    current = profile_form.values(now.doc, fields)
    text = _state().opened.get(form.get("digest", ""))
    before = profile_form.values(tomlkit.parse(text), fields) if text is not None else current
    kept: dict[str, str] = {}
    theirs: list[dict[str, str]] = []
    for f in fields:
        typed = form.get(f.key)
        if typed is not None and profile_form.differs(typed, before[f.key], f.kind):
            kept[f.key] = typed
        if text is not None and profile_form.differs(current[f.key], before[f.key], f.kind):
            theirs.append({"key": f.key, "label": f.label, "old": before[f.key],
                           "new": current[f.key], "mine": kept.get(f.key, "")})  # fmt: skip
    return {"kept": kept, "theirs": theirs, "known": text is not None}


@bp.post("/hs/<name>/thong-tin")
def profile_save(name: str) -> BaseResponse | str:
    dossier = _dossier(name)
    form = {k: v for k, v in request.form.items() if k != "csrf"}
    # Compare-and-swap: two saves at the same instant are read, compared and written one
    # after the other, so the second sees the first's file and is refused, never lost.
    with _state().saving:
        try:
            loaded = profile_form.read(dossier)
        except InputError as exc:
            return _page("profile_broken.html", name, problems=exc.problems)
        if form.get("digest") != loaded.digest:
            conflict = _conflict(dossier, loaded, form)
            return Response(_profile_page(name, dossier, loaded, conflict), status=409)
        words = profile_form.words_of(dossier)
        sections = profile_form.sections(loaded.doc, words)
        fields = [f for s in sections for f in s.all_fields()]
        changed = profile_form.apply(loaded.doc, form, fields)
        if changed:
            profile_form.save(loaded)
    problems = profile_form.problems_of(dossier)
    if not changed:
        flash("Không có gì thay đổi.")
    elif problems:
        flash(f"Đã lưu. Còn {len(problems)} chỗ cần sửa (ghi đỏ bên dưới).", "loi")
    else:
        flash("Đã lưu. Thông tin hồ sơ đã điền đủ, đúng.")
    return redirect(url_for("web.profile", name=name), 303)


# --- forms and returned workbooks ----------------------------------------------------------------


@bp.get("/hs/<name>/so-lieu")
def data_page(name: str) -> str:
    dossier = _dossier(name)
    job = _state().jobs.running(name)
    return _page("data.html", name, workbooks=files.workbooks(dossier), job=job, problems=[])


@bp.post("/hs/<name>/bieu-mau")
def blank_forms(name: str) -> BaseResponse | str:
    dossier = _dossier(name)
    loaded = _state().dossier(dossier)
    entries: list[tuple[str, Path | bytes]]
    try:
        result = write_forms(loaded)
        entries = [(w.path.relative_to(dossier).as_posix(), w.path) for w in result.written]
    except InputError as exc:
        if any(p.code != "da-co-so-lieu" for p in exc.problems):
            html = _page("data.html", name, workbooks=files.workbooks(dossier), job=None,
                         problems=exc.problems, forms_refused=True)  # fmt: skip
            return Response(html, status=422)
        # Villages have sent figures back: their workbooks stay; the blank forms still come.
        entries = list(forms.blank_forms(loaded))
    except EnvironmentProblem as exc:
        flash(_said(exc), "loi")
        return redirect(url_for("web.data_page", name=name), 303)
    return _download(files.zip_bytes(entries), f"bieu-mau-{name}.zip", "application/zip")


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".xlsx": _XLSX,
}


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    """A file to save (read whole: files are small, and no handle stays open on Windows,
    where an open file cannot be replaced)."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = _disposition(filename)
    return response


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@bp.post("/hs/<name>/tai-len")
def upload(name: str) -> BaseResponse | str:
    dossier = _dossier(name)
    sent = [f for f in request.files.getlist("bieu") if f.filename]
    if len(sent) > limits.MAX_UPLOAD_FILES:
        abort(413)
    uploads = []
    for f in sent:
        # One byte past the limit is enough to refuse the file with its name.
        uploads.append(files.Upload(f.filename or "", f.read(limits.MAX_WORKBOOK_BYTES + 1)))
        f.close()
    if not uploads:
        flash("Chưa chọn tệp nào.", "loi")
        return redirect(url_for("web.data_page", name=name), 303)
    try:
        written, refused = files.save_uploads(dossier, uploads)
    except EnvironmentProblem as exc:
        flash(_said(exc), "loi")
        return redirect(url_for("web.data_page", name=name), 303)
    saved = [p.relative_to(dossier).as_posix() for p in written]
    return _start_ingest(name, dossier, saved, refused)


@bp.post("/hs/<name>/kiem-tra")
def check_data(name: str) -> BaseResponse | str:
    return _start_ingest(name, _dossier(name), [], [])


def _start_ingest(
    name: str, dossier: Path, saved: list[str], refused: list[Problem]
) -> BaseResponse | str:
    # Loaded here, used only by the job's thread from now on.
    loaded = _state().dossier(dossier)

    def work(say: Say) -> dict[str, Any]:
        for rel in saved:
            say(f"Đã nhận {Path(rel).name}")
        result = ingest_to(loaded, mark_errors=True,
                           progress=lambda n: say(f"Đọc {Path(n).name}"))  # fmt: skip
        return {"warnings": result.warnings, "villages": result.data.village_count}

    job = _state().jobs.start(name, "ingest", "Kiểm tra số liệu", work, {"refused": refused})
    return _job_response(name, job)


def _job_response(name: str, job: Job) -> BaseResponse | str:
    if _htmx():
        return _job_fragment(name, job)
    return redirect(url_for("web.job_page", name=name, job_id=job.id), 303)


def _job_fragment(name: str, job: Job) -> str:
    dossier = _dossier(name)
    # A finished job's fragment also carries what it changed on the page (sent out of band).
    cards = _cards(_state().dossier(dossier)) if job.kind == "papers" and job.done else {}
    return _page("job.html", name, job=job, copies=_copies(dossier, job), fragment=True,
                 workbooks=files.workbooks(dossier), replies=_replies(dossier, job),
                 **cards)  # fmt: skip


_WAITING = (NOT_RECEIVED, MISSING_VILLAGE, "thieu-xa")


def _replies(dossier: Path, job: Job) -> dict[str, Any] | None:
    """For a finished check of the figures: which villages (and the commune) have sent
    their workbook back, and the problems that are real errors in what was filled."""
    if job.kind != "ingest" or not job.done or job.error:
        return None
    try:
        villages = list(_state().dossier(dossier).profile(sections=("don_vi",)).don_vi.thon)
    except InputError:
        return None
    waiting = {p.value for p in job.problems if p.code in _WAITING and p.value}
    commune = not any(p.code in _WAITING and not p.value for p in job.problems)
    errors = [p for p in job.problems if p.code not in _WAITING]
    # A workbook is its village's by its file or sheet name (as the blank forms are named).
    wrong = {
        ascii_slug(where)
        for p in errors
        if p.severity == "loi" and p.file
        for where in (Path(p.file).stem, p.sheet or "")
        if where
    }
    states = {v: "waiting" if v in waiting else "bad" if ascii_slug(v) in wrong else "got"
              for v in villages}  # fmt: skip
    return {
        "villages": list(states.items()),
        "received": sum(1 for v in villages if v not in waiting),
        "commune": commune,
        "errors": errors,
    }


def _copies(dossier: Path, job: Job) -> dict[str, str]:
    """Marked copies a job wrote, by the workbook they mark (both relative to the dossier)."""
    written = {
        Path(w).relative_to(dossier).as_posix()
        for w in job.written
        if Path(w).is_relative_to(dossier)
    }
    copies = {}
    for p in job.problems:
        if p.file:
            copy = error_copy_path(Path(p.file)).as_posix()
            if copy in written:
                copies[p.file] = copy
    return copies


@bp.get("/hs/<name>/viec/<job_id>")
def job_page(name: str, job_id: str) -> str:
    dossier = _dossier(name)
    job = _state().jobs.get(job_id)
    if job is None or job.dossier != name:
        abort(404)
    if _htmx():
        return _job_fragment(name, job)
    return _page("job.html", name, job=job, copies=_copies(dossier, job), fragment=False,
                 replies=_replies(dossier, job))  # fmt: skip


@bp.post("/hs/<name>/xoa-bieu")
def delete_workbook(name: str) -> BaseResponse:
    dossier = _dossier(name)
    rel = request.form.get("tep", "")
    path = files.workbook_path(dossier, rel)
    if path is None:
        abort(404)
    with locked(dossier, sweep=(VILLAGE_FOLDER,)):
        path.unlink(missing_ok=True)
    flash(f"Đã xóa {Path(rel).name}.")
    return redirect(url_for("web.data_page", name=name), 303)


@bp.get("/hs/<name>/loi/<path:rel>")
def error_copy(name: str, rel: str) -> Response:
    copy = files.error_copy(_dossier(name), rel)
    if copy is None:
        abort(404)
    return _download(copy.read_bytes(), copy.name, _XLSX)


# --- scores and the council's adjustments ---------------------------------------------------------


@bp.get("/hs/<name>/diem")
def score_page(name: str) -> str:
    return _score_page(name, _state().dossier(_dossier(name)), [])


def _score_page(name: str, dossier: Dossier, problems: list[Problem]) -> str:
    out = dossier.out
    card = _load_card(out / scorecard.SCORECARD_NAME)
    return _page(
        "score.html",
        name,
        card=card,
        chart=_chart(card) if card else [],
        fresh=stale.of(dossier),
        has_data=(out / DATA_NAME).is_file(),
        problems=problems,
    )


def _chart(card: scorecard.Scorecard) -> list[dict[str, Any]]:
    """One bar per criterion: its points as a share of its maximum."""
    bars = []
    for c in card.criteria:
        share = float(c.points / c.max) if c.max else 0.0
        bars.append(
            {
                "no": c.no,
                "label": upper_first(c.title),
                "points": c.points,
                "max": c.max,
                "share": share,
                "provisional": any(i.provisional for i in c.items),
                "adjusted": any(i.override for i in c.items),
            }
        )
    return bars


@bp.post("/hs/<name>/diem")
def score_run(name: str) -> BaseResponse | str:
    dossier = _dossier(name)
    loaded = _state().dossier(dossier)
    try:
        score(loaded)
    except InputError as exc:
        return Response(_score_page(name, loaded, exc.problems), status=422)
    except EnvironmentProblem as exc:
        flash(_said(exc), "loi")
    else:
        flash("Đã chấm điểm và lập biểu chấm điểm.")
    return redirect(url_for("web.score_page", name=name), 303)


def _items(dossier: Path) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The rule set's sub-items (id, label, maximum) for the adjustment form."""
    try:
        rules = _state().dossier(dossier).rules()
    except InputError as exc:
        return [], exc.problems
    return [{"id": i.id, "label": i.label, "max": i.max} for i in rules.items()], []


def _adjustments(doc: Any) -> list[dict[str, str]]:
    raw = doc.get("dieu_chinh")
    if not isinstance(raw, list):
        return []
    return [
        {
            "muc": profile_form.shown(t.get("muc"), "text"),
            "diem": profile_form.shown(t.get("diem"), "number"),
            "ly_do": profile_form.shown(t.get("ly_do"), "text"),
        }
        for t in raw
        if isinstance(t, dict)
    ]


@bp.get("/hs/<name>/dieu-chinh")
def adjustments(name: str) -> str:
    return _adjust_page(name, {}, [], {})


def _adjust_page(
    name: str, values: dict[str, str], problems: list[Problem], by_field: dict[str, list[Problem]]
) -> str:
    dossier = _dossier(name)
    loaded = profile_form.read(dossier)
    items, item_problems = _items(dossier)
    card = _load_card(_state().out(dossier) / scorecard.SCORECARD_NAME)
    computed = {i.id: i.computed for i in card.items()} if card else {}
    return _page(
        "adjust.html",
        name,
        rows=_adjustments(loaded.doc),
        items=items,
        computed=computed,
        values=values,
        problems=item_problems + problems,
        by_field=by_field,
        digest=loaded.digest,
    )


@bp.post("/hs/<name>/dieu-chinh")
def adjustment_add(name: str) -> BaseResponse | str:
    with _state().saving:  # compare-and-swap, as the profile's saves
        return _adjustment_add(name)


def _adjustment_add(name: str) -> BaseResponse | str:
    dossier = _dossier(name)
    values = {k: request.form.get(k, "").strip() for k in ("muc", "diem", "ly_do")}
    loaded = profile_form.read(dossier)
    if request.form.get("digest") != loaded.digest:
        flash("Thông tin hồ sơ đã được lưu ở nơi khác sau khi mở trang này: chưa ghi. "
              "Xem lại bảng dưới đây rồi làm lại.", "loi")  # fmt: skip
        return redirect(url_for("web.adjustments", name=name), 303)
    raw = loaded.doc.get("dieu_chinh")
    if not isinstance(raw, AoT):
        loaded.doc["dieu_chinh"] = tomlkit.aot()
        raw = loaded.doc["dieu_chinh"]
    index = next((i for i, t in enumerate(raw) if str(t.get("muc", "")) == values["muc"]), None)
    table = tomlkit.table() if index is None else raw[index]
    table["muc"] = values["muc"]
    table["diem"] = profile_form.typed(values["diem"], "number") if values["diem"] else ""
    table["ly_do"] = values["ly_do"]
    if index is None:
        raw.append(table)
        index = len(raw) - 1
    problems = _check_adjustments(dossier, loaded)
    if problems:
        key = f"dieu_chinh[{index + 1}]."
        by_field: dict[str, list[Problem]] = {}
        rest = []
        for p in problems:
            if (p.field or "").startswith(key):
                by_field.setdefault((p.field or "")[len(key) :], []).append(p)
            else:
                rest.append(p)
        return Response(_adjust_page(name, values, rest, by_field), status=422)
    profile_form.save(loaded)
    return _rescore(name, dossier, f"Đã ghi điều chỉnh mục {values['muc']} vào hoso.toml.")


@bp.post("/hs/<name>/dieu-chinh/xoa")
def adjustment_remove(name: str) -> BaseResponse:
    with _state().saving:  # compare-and-swap, as the profile's saves
        return _adjustment_remove(name)


def _adjustment_remove(name: str) -> BaseResponse:
    dossier = _dossier(name)
    loaded = profile_form.read(dossier)
    raw = loaded.doc.get("dieu_chinh")
    muc = request.form.get("muc", "")
    if request.form.get("digest") != loaded.digest or not isinstance(raw, AoT):
        flash("Thông tin hồ sơ đã được lưu ở nơi khác sau khi mở trang này: chưa bỏ. "
              "Xem lại bảng dưới đây rồi làm lại.", "loi")  # fmt: skip
        return redirect(url_for("web.adjustments", name=name), 303)
    index = next((i for i, t in enumerate(raw) if str(t.get("muc", "")) == muc), None)
    if index is None:
        abort(404)
    del raw[index]
    if not len(raw):
        del loaded.doc["dieu_chinh"]
    profile_form.save(loaded)
    return _rescore(name, dossier, f"Đã bỏ điều chỉnh mục {muc}.")


def _check_adjustments(dossier: Path, loaded: profile_form.Loaded) -> list[Problem]:
    """The problems the score stage would find in the edited [[dieu_chinh]] (and the tables it
    reads), checked on a copy before hoso.toml is touched."""
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", suffix=".toml", prefix=".hoso-web-", dir=dossier, delete=False
    ) as tmp:
        tmp.write(tomlkit.dumps(loaded.doc))
    path = Path(tmp.name)
    try:
        profile = load_profile(path, sections=SCORE_SECTIONS)
        return override_problems(profile)
    except InputError as exc:
        return exc.problems
    finally:
        path.unlink(missing_ok=True)


def _rescore(name: str, dossier: Path, done: str) -> BaseResponse:
    loaded = _state().dossier(dossier)
    if not (loaded.out / DATA_NAME).is_file():
        flash(f"{done} Nhập số liệu rồi chấm điểm để thấy kết quả.")
        return redirect(url_for("web.adjustments", name=name), 303)
    try:
        score(loaded)
    except (InputError, EnvironmentProblem) as exc:
        flash(f"{done} Chưa chấm lại được: {_said(exc)}", "loi")
    else:
        flash(f"{done} Đã chấm điểm lại.")
    return redirect(url_for("web.score_page", name=name), 303)


# --- papers, PDFs and the archive -------------------------------------------------------------


def _papers(out: Path) -> list[dict[str, Any]]:
    rows = []
    for doc in catalogue().values():
        pdf = str(Path(doc.file).with_suffix(".pdf"))
        rows.append(
            {
                "code": doc.code,
                "name": doc.name,
                "docx": doc.file if (out / doc.file).is_file() else None,
                "pdf": pdf if (out / pdf).is_file() else None,
            }
        )
    return rows


@bp.get("/hs/<name>/van-ban")
def papers(name: str) -> str:
    dossier = _dossier(name)
    return _papers_view(name, dossier, _state().out(dossier))


def _papers_view(
    name: str,
    dossier: Path,
    out: Path,
    *,
    sign_refused: dict[str, list[Problem]] | None = None,
    issue_refused: dict[str, list[Problem]] | None = None,
    issue_form: dict[str, Any] | None = None,
) -> str:
    """The papers page with its archive: versions, and the changes since the last one."""
    versions: list[Any] = []
    diff: list[str] = []
    archive_problem: list[Problem] = []
    loaded = _state().dossier(dossier)
    try:
        versions = history(loaded)
        if versions:
            result, _ = diff_versions(loaded)
            labels = profile_form.labels(dossier)
            diff = [words.diff_line(line, labels, (dossier, out)) for line in diff_lines(result)]
    except InputError as exc:
        archive_problem = exc.problems
    except EnvironmentProblem as exc:
        archive_problem = [Problem.of("moi-truong", hint=exc.hint, message=exc.message)]
    return _papers_page(name, dossier=loaded, versions=versions, diff=diff,
                        archive_problem=archive_problem, refused=[],
                        sign_refused=sign_refused, issue_refused=issue_refused,
                        issue_form=issue_form)  # fmt: skip


def _papers_page(
    name: str,
    *,
    dossier: Dossier,
    versions: list[Any],
    diff: list[str],
    archive_problem: list[Problem],
    refused: list[str],
    sign_refused: dict[str, list[Problem]] | None = None,
    issue_refused: dict[str, list[Problem]] | None = None,
    issue_form: dict[str, Any] | None = None,
) -> str:
    out = dossier.out
    cards = _cards(dossier, versions)
    return _page(
        "papers.html",
        name,
        **cards,
        paper_names={d.code: d.name for d in catalogue().values()},
        sign_refused=sign_refused or {},
        ky_command=_ky_command(dossier),
        issue_keys=issue_offers(dossier),
        issue_refused=issue_refused or {},
        issue_form=issue_form or {},
        issue_command=_issue_command(dossier),
        refused=refused,
        workbook=(out / WORKBOOK_NAME).is_file(),
        job=_state().jobs.running(name),
        versions=versions,
        diff=diff,
        archive_problem=archive_problem,
        issuer=_issuer(dossier.folder),
    )


def _cards(dossier: Dossier, versions: list[Any] | None = None) -> dict[str, Any]:
    """What the paper cards (_papers_cards.html) show: each paper, its freshness and its
    signatures (against the last issued version's papers)."""
    if versions is None:
        try:
            versions = history(dossier)
        except (InputError, EnvironmentProblem):
            versions = []
    last = versions[-1] if versions else None
    signing = dossier_signing(
        dossier,
        _state().signatures,
        archive=_state().archive,
        issued=last.papers if last else None,
    )
    return {
        "papers": _papers(dossier.out),
        "signing": signing,
        "titles": TITLES,
        "fresh": stale.of(dossier),
        "pdftoppm": shutil.which("pdftoppm") is not None,
    }


def _issuer(dossier: Path) -> str:
    """Who issues the papers, as the page names them: the dossier's own civil servant (the
    archive records the computer's account, which means nothing to the reader)."""
    try:
        leaders = profile_form.read(dossier).doc.get("lanh_dao", {})
    except InputError:
        return ""
    name = leaders.get("cong_chuc_vhxh", "") if isinstance(leaders, dict) else ""
    return str(name).strip() or "Công chức Văn hóa - Xã hội"


@bp.post("/hs/<name>/van-ban")
def papers_make(name: str) -> BaseResponse | str:
    dossier = _dossier(name)
    # Loaded here, used only by the job's thread from now on.
    loaded = _state().dossier(dossier)
    want_pdf = request.form.get("pdf") == "1"

    def work(say: Say) -> dict[str, Any]:
        result = render(loaded, progress=lambda p: say(f"Đã lập {_paper(p)}"))
        outcome: dict[str, Any] = {
            "written": [p.name for p in result.written],
            "waiting": [_paper(p) for p in result.waiting],
            "not_recognized": [_paper(p) for p in result.not_recognized],
            "warnings": result.warnings,
            "unit": result.words.don_vi,
        }
        if want_pdf and result.written:
            try:
                find_soffice()
            except EnvironmentProblem as exc:
                outcome["pdf_skipped"] = f"{exc.message}: {exc.hint}"
                return outcome
            say("Đang chuyển sang PDF bằng LibreOffice…")
            made = pdf_dossier(loaded, progress=lambda p: say(f"Chuyển sang PDF: {_paper(p)}"))
            outcome["pdfs"] = [p.name for p in made.written]
            outcome["notice"] = made.notice
        return outcome

    job = _state().jobs.start(name, "papers", "Lập văn bản", work)
    return _job_response(name, job)


def _ky_command(dossier: Dossier) -> str:
    """The command that signs with a USB token, for this dossier and its outputs."""
    return f'hoso ky "{dossier.folder}" --out "{dossier.out}"'


def _issue_command(dossier: Dossier) -> str:
    """The command that issues with a USB token, for this dossier, its outputs and archive."""
    return (f'hoso issue "{dossier.folder}" --out "{dossier.out}" '
            f'--archive "{dossier.archive_root}"')  # fmt: skip


def _no_secret(_what: str) -> str:
    raise AssertionError("the page's key is opened before the signing job starts")


@bp.post("/hs/<name>/ky")
def sign_papers(name: str) -> BaseResponse | str:
    """The signer's signature with a .p12 and its password typed on the page. The password
    opens the key here, in this request, and is dropped: the job gets the opened key only;
    nothing of either is written to disk, the page, its address, a log or the state."""
    dossier = _dossier(name)
    out = _state().out(dossier)
    loaded = _state().dossier(dossier)
    role = request.form.get("vai", "")
    offer = next((o for o in _offers(loaded) if o.role == role), None)
    if offer is None or offer.kind != "p12":
        flash("Không còn văn bản nào chờ chữ ký này (hoặc khóa này không ký được trên trang). "
              "Xem lại mục Ký số bên dưới.", "loi")  # fmt: skip
        return redirect(url_for("web.papers", name=name) + "#ky-so", 303)
    busy = _state().jobs.running(name)
    if busy is not None:  # one job per dossier: the key is not opened for nothing
        flash("Đang có việc khác của hồ sơ này chạy: chờ xong rồi ký số.", "loi")
        return redirect(url_for("web.job_page", name=name, job_id=busy.id), 303)
    chosen = request.files.get("tep_khoa")
    p12, p12_name = None, ""
    if chosen is not None and chosen.filename:
        p12_name = Path(chosen.filename.replace("\\", "/")).name
        p12 = chosen.read(KEY_FILE_BYTES + 1)
        chosen.close()
    try:
        signer = open_page_key(loaded, role, request.form.get("mat_khau", ""), p12, p12_name)
    except InputError as exc:
        html = _papers_view(name, dossier, out, sign_refused={role: exc.problems})
        return Response(html, status=422)
    del p12
    holder = f"{offer.title} {offer.name}"

    def work(say: Say) -> dict[str, Any]:
        say(f"Đang ký số: {holder}…")
        done = sign_outputs(loaded, _no_secret, only=role, opened=signer,
                            progress=lambda p: say(f"Đã ký {_paper(p)}"))  # fmt: skip
        return {
            "holder": holder,
            "signed": [_paper(p) for p in done.signed],
            "already": [_paper(p) for p in done.already],
        }

    job = _state().jobs.start(name, "sign", "Ký số", work)
    return _job_response(name, job)


def _offers(dossier: Dossier) -> list[KeyOffer]:
    return dossier_signing(dossier, _state().signatures).offers


@bp.get("/hs/<name>/tep/<file>")
def output(name: str, file: str) -> Response:
    path = files.output_file(_state().out(_dossier(name)), file)
    if path is None:
        abort(404)
    return _download(
        path.read_bytes(), path.name, _TYPES.get(path.suffix, "application/octet-stream")
    )


@bp.get("/hs/<name>/xem/<code>.png")
def preview(name: str, code: str) -> Response:
    doc = catalogue().get(code)
    if doc is None:
        abort(404)
    out = _state().out(_dossier(name))
    png = files.preview(out / Path(doc.file).with_suffix(".pdf"), _state().cache / name)
    if png is None:
        abort(404)
    return Response(png.read_bytes(), mimetype="image/png")


@bp.get("/hs/<name>/van-ban.zip")
def papers_zip(name: str) -> Response:
    out = _state().out(_dossier(name))
    present = [(n, out / n) for n in files.output_names() if (out / n).is_file()]
    if not present:
        abort(404)
    return _download(files.zip_bytes(present), f"van-ban-{name}.zip", "application/zip")


@bp.post("/hs/<name>/phat-hanh")
def issue_version(name: str) -> BaseResponse | str:
    dossier = _dossier(name)
    reason = request.form.get("ly_do", "")
    numbers = request.form.get("cap_so") == "1"
    # Never issue papers older than their figures, or PDFs older than their Word papers.
    loaded = _state().dossier(dossier)
    fresh = stale.of(loaded)
    refused = fresh.issue_problems()
    if refused:
        if _htmx():
            return _page("_issue_refused.html", name, refused=refused, fresh=fresh)
        html = _papers_page(name, dossier=loaded, versions=[], diff=[],
                            archive_problem=[], refused=refused)  # fmt: skip
        return Response(html, status=422)

    # The keys this issue opens: a .p12 with the password typed in the form (used in this
    # request and the job's thread only, never kept), a token only from the command line.
    needed = [k for k in issue_offers(loaded) if numbers or not k.numbers_only]
    form = {"ly_do": reason, "cap_so": numbers}
    token = next((k for k in needed if k.kind == "token"), None)
    if token is not None:
        problem = Problem.of("khoa-ky-so", variant="token-tren-trang", file=token.file,
                             field=f"ky_so.{token.role}",
                             hint="cắm token rồi phát hành bằng lệnh hoso issue trong cửa sổ "
                                  "dòng lệnh.")  # fmt: skip
        html = _papers_view(name, dossier, loaded.out, issue_refused={token.role: [problem]},
                            issue_form=form)  # fmt: skip
        return Response(html, status=422)
    secrets = {k.role: request.form.get(f"mk_{k.role}", "") for k in needed if k.kind == "p12"}
    ask = typed_answers(secrets, needed[0].file if needed else "")
    # A wrong password is said at its field now, before anything is issued (that form posts
    # as a whole page; without passwords the job says what stops the issue, as before).
    if any(k.kind == "p12" and not k.sample for k in needed):
        try:
            with issue_keys(loaded.profile(), loaded.out, assign_numbers=numbers, ask=ask,
                            table=loaded.raw_profile()):  # fmt: skip
                pass
        except InputError as exc:
            refused_keys = _by_key(exc.problems, {k.role for k in needed})
            html = _papers_view(name, dossier, loaded.out, issue_refused=refused_keys,
                                issue_form=form)  # fmt: skip
            return Response(html, status=422)

    # Loaded afresh for the job's thread, which alone uses it.
    job_dossier = _state().dossier(dossier)

    def work(say: Say) -> dict[str, Any]:
        say("Đang phát hành…")
        try:
            done = issue(job_dossier, reason=reason, assign_numbers=numbers, ask=ask)
        finally:
            secrets.clear()  # the passwords live no longer than the issue
        return {
            "version": done.version,
            "papers": [(p.number_symbol, p.title) for p in done.papers],
            "redlines": [p.name for p in done.redlines],
            "explanation": done.explanation,
            "warnings": done.warnings,
        }

    job = _state().jobs.start(name, "issue", "Phát hành", work)
    return _job_response(name, job)


def _by_key(problems: list[Problem], roles: set[str]) -> dict[str, list[Problem]]:
    """`problems` by the key of [ky_so] each names ("" for the rest): said at its field."""
    found: dict[str, list[Problem]] = {}
    for problem in problems:
        parts = (problem.field or "").split(".")
        role = parts[1] if len(parts) > 1 and parts[0] == "ky_so" and parts[1] in roles else ""
        found.setdefault(role, []).append(problem)
    return found
