"""A small host app with its own users, login and layout, and the LMS mounted at /learn.

Run it as ``examples/host_app/README.md`` says. Everything the LMS needs from a host is in
:func:`create_app` and :func:`current_identity`; the rest is an ordinary Flask-Login app.
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit

import click
from flask import Flask, flash, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from lms import LMS, Identity

db = SQLAlchemy()
login_manager = LoginManager()
host_cli = AppGroup("host", help="The host app's own tables and users.")


class HostUser(db.Model, UserMixin):
    """The host's own user: the LMS never sees this model, only the Identity built from it."""

    __tablename__ = "host_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    staff_group: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[str | None] = mapped_column(String(255))
    unit_code: Mapped[str | None] = mapped_column(String(64))
    province_code: Mapped[str | None] = mapped_column(String(8))

    def __repr__(self) -> str:
        return f"<HostUser {self.id} {self.email}>"


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class LogoutForm(FlaskForm):
    """No fields: only the CSRF token, so nobody can sign you out from another site."""


def current_identity() -> Identity | None:
    """Hand the signed-in host user to the LMS. The optional fields fill the LMS profile
    (unit and province codes must exist in the LMS: see README)."""
    if not current_user.is_authenticated:
        return None
    return Identity(
        external_id=f"host-{current_user.id}",
        email=current_user.email,
        first_name_th=current_user.first_name,
        last_name_th=current_user.last_name,
        staff_group=current_user.staff_group,
        position=current_user.position,
        org_unit_code=current_user.unit_code,
        province_code=current_user.province_code,
    )


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.path.join(os.path.dirname(__file__), "instance"))
    default_database = f"sqlite:///{os.path.join(app.instance_path, 'host.sqlite3')}"
    app.config.update(
        # A new random key on every start signs everyone out: set HOST_SECRET_KEY in real use.
        SECRET_KEY=os.environ.get("HOST_SECRET_KEY") or secrets.token_hex(32),
        SQLALCHEMY_DATABASE_URI=os.environ.get("HOST_DATABASE_URL", default_database),
        LMS_SITE_NAME="การเรียนรู้ของกรมตัวอย่าง",
        LMS_CERTIFICATE_ISSUER_TH="กรมตัวอย่าง",
        LMS_CERTIFICATE_ISSUER_EN="Example Department",
    )
    app.config.update(config or {})
    if app.config["SQLALCHEMY_DATABASE_URI"] == default_database:
        os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "login"
    LMS(
        app,
        url_prefix="/learn",
        identity_loader=current_identity,
        host_login_endpoint="login",
        host_logout_endpoint="logout",
        host_home_endpoint="index",
    )
    _add_routes(app)
    app.cli.add_command(host_cli)
    return app


@login_manager.user_loader
def load_user(user_id: str) -> HostUser | None:
    return db.session.get(HostUser, int(user_id))


def _local(target: str | None) -> str | None:
    """Only a path on this site is a safe place to go after signing in."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return target if target.startswith("/") and not target.startswith("//") and not parts.netloc else None


def _add_routes(app: Flask) -> None:
    @app.context_processor
    def layout_context():
        return {"logout_form": LogoutForm()}

    @app.route("/", endpoint="index")
    def index():
        return render_template("host/index.html")

    @app.route("/login", methods=["GET", "POST"], endpoint="login")
    def login():
        form = LoginForm()
        if form.validate_on_submit():
            user = db.session.scalar(
                select(HostUser).where(HostUser.email == form.email.data.strip().lower())
            )
            if user is not None and check_password_hash(user.password_hash, form.password.data):
                login_user(user)
                return redirect(_local(request.args.get("next")) or url_for("index"))
            flash("The email or password is wrong.")
        return render_template("host/login.html", form=form), 400 if form.is_submitted() else 200

    @app.route("/logout", methods=["POST"], endpoint="logout")
    @login_required
    def logout():
        if LogoutForm().validate_on_submit():
            logout_user()
            flash("You have signed out.")
        return redirect(url_for("index"))


@host_cli.command("init")
def host_init():
    """Create the host's own tables (the LMS's come from `flask lms db upgrade`)."""
    db.create_all()
    click.echo("Host tables created.")


@host_cli.command("add-user")
@click.argument("email")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--staff-group", type=click.Choice(["executive", "practitioner", "general"]))
@click.option("--position")
@click.option("--unit", "unit_code", help="An LMS org-unit code, e.g. DEMO-PO-CM.")
@click.option("--province", "province_code", help="An ISO 3166-2:TH code, e.g. TH-50.")
@click.password_option()
def host_add_user(email, first_name, last_name, staff_group, position, unit_code, province_code, password):
    """Add a host user who signs in at /login."""
    user = HostUser(
        email=email.strip().lower(),
        password_hash=generate_password_hash(password),
        first_name=first_name,
        last_name=last_name,
        staff_group=staff_group,
        position=position,
        unit_code=unit_code,
        province_code=province_code,
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"Host user {user.id}: {user.email}")
