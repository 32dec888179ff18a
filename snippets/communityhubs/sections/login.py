"""`authenticator`: how people log in, on every target and back. The login types and their classes,
the secrets a login needs (shared and admins' passwords, an OAuth client secret, never written into
a file we render), OAuthenticator's settings from the spec, and reading them back from a provider's
values.yaml or TLJH's config.yaml, with what the new hub must be given.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .. import names
from ..errors import ImportConfigError
from ..formats.file_values import FileValues, ReaderOptions
from ..formats.helm_values import Values, keys_from_table, secret_from_env, table_values
from ..formats.python_lines import SET_TRAITS, Section, py, table_lines
from ..formats.tljh_commands import Part, table_commands
from ..mapping import merge
from ..spec import AUTH_ONLY, LDAP_KEYS, HubSpec

AUTHENTICATORS = {
    "shared-password": "shared-password",
    "dummy": "dummy",
    "github": "github",
    "google": "google",
    "cilogon": "cilogon",
    "generic-oauth": "generic-oauth",
    "azuread": "azuread",
    "ldap": "ldapauthenticator.LDAPAuthenticator",
    "firstuse": "firstuseauthenticator.FirstUseAuthenticator",
}
LDAP_CLASS = "LDAPAuthenticator"
FIRSTUSE_CLASS = "FirstUseAuthenticator"
OAUTH_CLASSES = {
    "github": "GitHubOAuthenticator",
    "google": "GoogleOAuthenticator",
    "cilogon": "CILogonOAuthenticator",
    "generic-oauth": "GenericOAuthenticator",
    "azuread": "AzureAdOAuthenticator",
}
# Where each class keeps what the provider said about a person (OAuthenticator's user_auth_state_key)
USER_STATE_KEY = {"azuread": "user"}
# Spec key -> OAuthenticator trait, copied as they are when the spec sets them.
COPIED_KEYS = {
    "authorize_url": "authorize_url",
    "token_url": "token_url",
    "userdata_url": "userdata_url",
    "username_claim": "username_claim",
    "hosted_domains": "hosted_domain",
    "strip_domain": "strip_domain",
    "tenant_id": "tenant_id",
    "allowed_idps": "idps",  # OAuthenticator 17.4's name (the chart's hub since 4.4.0, TLJH); 17.3 read allowed_idps
}


def oauth_traits(spec: HubSpec) -> dict[str, Any]:
    """The OAuthenticator class's settings (without the client secret); {} for other logins."""
    auth = spec.data["authenticator"]
    kind = auth["type"]
    if kind not in OAUTH_CLASSES:
        return {}
    traits: dict[str, Any] = {"client_id": auth["client_id"], "oauth_callback_url": auth["callback_url"]}
    traits |= {trait: auth[key] for key, trait in COPIED_KEYS.items() if key in auth}
    scopes = list(spec.settings["authenticator.scope"] or (["openid", "profile"] if kind == "generic-oauth" else []))
    if auth.get("allowed_organizations"):
        traits["allowed_organizations"] = sorted(auth["allowed_organizations"])
        if "read:org" not in scopes:
            # Without read:org GitHub only reveals public memberships, and private members are refused.
            scopes.append("read:org")
    if scopes:
        traits["scope"] = scopes
    if auth.get("groups_claim"):  # the provider's groups become the person's JupyterHub groups at each login
        traits["manage_groups"] = True
        traits["auth_state_groups_key"] = f"{USER_STATE_KEY.get(kind, 'oauth_user')}.{auth['groups_claim']}"
        if auth.get("allowed_groups"):
            traits["allowed_groups"] = sorted(auth["allowed_groups"])
    if spec.settings["authenticator.allow_all"]:
        traits["allow_all"] = True
    return traits


def ldap_traits(spec: HubSpec) -> dict[str, Any]:
    """LDAPAuthenticator's settings: the spec's ldap keys are its traits, by the same names. A bind
    as the person's own entry needs no secret of the hub's."""
    auth = spec.data["authenticator"]
    if auth["type"] != "ldap":
        return {}
    traits = {key: auth[key] for key in LDAP_KEYS if key in auth}
    if spec.settings["authenticator.allow_all"]:
        traits["allow_all"] = True
    return traits


def firstuse_traits(spec: HubSpec) -> dict[str, Any]:
    """FirstUseAuthenticator's settings: the first password typed for a name becomes its password
    (kept hashed in passwords.dbm in the hub's folder)."""
    auth = spec.data["authenticator"]
    if auth["type"] != "firstuse":
        return {}
    traits: dict[str, Any] = {}
    if "min_password_length" in auth:
        traits["min_password_length"] = auth["min_password_length"]
    if spec.settings["authenticator.allow_all"]:
        traits["allow_all"] = True
    return traits


# Login types whose class takes the spec's settings with no secret of the hub's
PASSWORD_CLASSES = {"ldap": (LDAP_CLASS, ldap_traits), "firstuse": (FIRSTUSE_CLASS, firstuse_traits)}


def login_class_traits(spec: HubSpec) -> tuple[str, dict[str, Any]]:
    """The login class that takes settings from the spec, and them: OAuthenticator's, LDAP's or FirstUse's."""
    kind = spec.data["authenticator"]["type"]
    if kind in PASSWORD_CLASSES:
        cls, traits = PASSWORD_CLASSES[kind]
        return cls, traits(spec)
    return OAUTH_CLASSES.get(kind, ""), oauth_traits(spec)


class LoginSecret(NamedTuple):
    file: str
    """In the hub's state folder (0600)."""
    env: str
    """The variable that gives it instead of generating one."""
    trait: str
    """SharedPasswordAuthenticator's."""
    nbytes: int
    """Random bytes when generated, written as hex."""


SHARED_PASSWORD = LoginSecret(names.SHARED_PASSWORD_FILE, names.SHARED_PASSWORD_ENV, "user_password", 16)
# JupyterHub asks at least 32 characters of the admins' password (and 8 of the shared one): 48 hex.
ADMIN_PASSWORD = LoginSecret(names.ADMIN_PASSWORD_FILE, names.ADMIN_PASSWORD_ENV, "admin_password", 24)


def login_secrets(spec: HubSpec) -> list[LoginSecret]:
    """Each password the login needs: everyone's shared one, and the admins' own, without which no
    admin can log in (JupyterHub wants it different from the shared one)."""
    if spec.data["authenticator"]["type"] != "shared-password":
        return []
    return [SHARED_PASSWORD, ADMIN_PASSWORD] if spec.admins else [SHARED_PASSWORD]


# --- local and docker: jupyterhub_config.py ------------------------------------------------------


def jupyterhub_config(spec: HubSpec) -> Section:
    auth = spec.data["authenticator"]
    kind = auth["type"]
    s = Section("authenticator", "how users log in")
    s.set("JupyterHub.authenticator_class", AUTHENTICATORS[kind])
    comments = {
        "user_password": "one password for everyone, generated by `communityhubs hub up` (or ${env})",
        "admin_password": "the admins' own password: the shared one never makes anyone an admin (or ${env})",
    }
    for secret in login_secrets(spec):
        line = f"c.SharedPasswordAuthenticator.{secret.trait} = read_secret({secret.file!r})"
        s.code(line, comments[secret.trait].format(env=secret.env))
    cls, traits = login_class_traits(spec)
    for trait, value in traits.items():
        comment = OAUTH_COMMENTS.get(trait, "") if trait != "tls_strategy" or value == "insecure" else ""
        s.set(f"{cls}.{trait}", set(value) if trait in SET_TRAITS else value, comment)
        if trait == "client_id":
            secret = f"os.environ[{auth['client_secret_env']!r}]"
            s.code(f"c.{cls}.client_secret = {secret}", "from the environment, never here")
    return table_lines(s, spec)


OAUTH_COMMENTS = {
    "allow_all": "everyone the provider authenticates may log in",
    "manage_groups": "each person's JupyterHub groups are the provider's, updated at every login",
    "auth_state_groups_key": "where in what the provider sends the groups are",
    "bind_dn_template": "the hub binds as the person's own entry, with the password they typed",
    "tls_strategy": "insecure: the password crosses the network unencrypted (a directory on this machine only)",
}


# --- Zero to JupyterHub: values.yaml -------------------------------------------------------------


def values_yaml(spec: HubSpec) -> Values:
    auth = spec.data["authenticator"]
    kind = auth["type"]
    config: Values = {"JupyterHub": {"authenticator_class": AUTHENTICATORS[kind]}}
    values: Values = {"hub": {"config": config}}
    for secret in login_secrets(spec):
        trait = f"SharedPasswordAuthenticator.{secret.trait}"
        values = merge(values, secret_from_env(spec, secret.env, secret.file, trait))
    if kind in OAUTH_CLASSES:
        cls = OAUTH_CLASSES[kind]
        config[cls] = oauth_traits(spec)
        secret = secret_from_env(spec, auth["client_secret_env"], names.OAUTH_SECRET_FILE, f"{cls}.client_secret")
        values = merge(values, secret)
    if kind in PASSWORD_CLASSES:
        cls, traits = login_class_traits(spec)
        if traits:
            config[cls] = traits
    return merge(values, table_values(spec, "authenticator"))


# --- The Littlest JupyterHub: tljh-config --------------------------------------------------------

# TLJH 2.0.0 installs any OAuthenticator 17 and upgrades it within that range: 17.3 reads only
# allowed_idps, 17.4 renamed it idps (the old name warns). The file asks the installed class.
IDPS_WHY = "OAuthenticator 17.4 calls it idps, 17.3 allowed_idps: TLJH 2.0.0 may have either"
IDPS_EITHER_NAME = """\
from oauthenticator.cilogon import CILogonOAuthenticator

idps_trait = "idps" if "idps" in CILogonOAuthenticator.class_trait_names() else "allowed_idps"
setattr(c.{cls}, idps_trait, {value})"""

SHARED_ON_TLJH = (
    "WARNING: everyone's shared password. Anyone who has it can log in as any non-admin user,\n"
    "# and on TLJH that is their Unix account and home folder: for a workshop room, never on the internet"
)


def tljh(spec: HubSpec) -> Part:
    auth = spec.data["authenticator"]
    kind = auth["type"]
    part = Part("authenticator").say("auth.type", "JupyterHub.authenticator_class", AUTHENTICATORS[kind])
    for secret in login_secrets(spec):
        comment = "the admins' own password" if secret.trait == "admin_password" else SHARED_ON_TLJH
        part.code(f"c.SharedPasswordAuthenticator.{secret.trait} = read_secret({secret.file!r})", comment)
    if kind in OAUTH_CLASSES:
        cls = OAUTH_CLASSES[kind]
        for trait, value in oauth_traits(spec).items():
            if trait == "idps":
                part.code(IDPS_EITHER_NAME.format(cls=cls, value=py(value)), IDPS_WHY)
            else:
                part.say(f"auth.{cls}.{trait}", f"{cls}.{trait}", value)
        part.code(f"c.{cls}.client_secret = read_secret({names.OAUTH_SECRET_FILE!r})", "never in config.yaml")
    if kind in PASSWORD_CLASSES:
        cls, traits = login_class_traits(spec)
        for trait, value in traits.items():
            part.say(f"auth.{cls}.{trait}", f"{cls}.{trait}", value)
    return table_commands(part, spec)


# --- back to the spec, for import-config ---------------------------------------------------------

SECRET_ENV = "OAUTH_CLIENT_SECRET"
CLIENT_ID_PLACEHOLDER = "REPLACE-WITH-YOUR-OAUTH-CLIENT-ID"
LOCAL_CALLBACK = f"http://127.0.0.1:{names.PUBLIC_PORT}/hub/oauth_callback"  # where `hub up` serves a hub by default

# authenticator_class as values files (and TLJH's auth.type) write it -> spec type
AUTH_TYPES = {
    **{name: kind for kind, name in AUTHENTICATORS.items()},
    **{cls: kind for kind, cls in OAUTH_CLASSES.items()},
    **{
        f"oauthenticator.{mod}.{cls}": kind
        for kind, cls, mod in [
            ("github", "GitHubOAuthenticator", "github"),
            ("google", "GoogleOAuthenticator", "google"),
            ("cilogon", "CILogonOAuthenticator", "cilogon"),
            ("generic-oauth", "GenericOAuthenticator", "generic"),
            ("azuread", "AzureAdOAuthenticator", "azuread"),
        ]
    },
    "generic": "generic-oauth",
    "jupyterhub.authenticators.shared.SharedPasswordAuthenticator": "shared-password",
    "SharedPasswordAuthenticator": "shared-password",
    "jupyterhub.auth.DummyAuthenticator": "dummy",
    "DummyAuthenticator": "dummy",
    "ldap": "ldap",
    "ldapauthenticator": "ldap",
    "ldapauthenticator.LDAPAuthenticator": "ldap",
    "LDAPAuthenticator": "ldap",
    "firstuse": "firstuse",
    "firstuseauthenticator": "firstuse",
    "firstuseauthenticator.FirstUseAuthenticator": "firstuse",
    "FirstUseAuthenticator": "firstuse",
}


def auth_type(values: FileValues) -> str:
    key = "hub.config.JupyterHub.authenticator_class"
    raw = values.take(key)
    if raw is None:
        # The chart's default is the dummy login: any password opens any account, the admins' too.
        raise ImportConfigError(
            f"{values.prefix}{key}: not set, so the old hub used the chart's default, a test login that takes "
            "any password for any user, admins included; set the login the new hub should use in the values first"
        )
    kind = AUTH_TYPES.get(str(raw))
    if kind is None:
        known = ", ".join(sorted(AUTHENTICATORS))
        raise ImportConfigError(f"{values.prefix}{key}: {raw!r} has no equivalent in the hub spec (it has: {known})")
    values.report.carried.append((values.prefix + key, f"authenticator.type: {kind}"))
    return kind


def from_values_yaml(values: FileValues, options: ReaderOptions) -> dict[str, Any]:
    kind = auth_type(values)
    auth: dict[str, Any] = {"type": kind, **keys_from_table(values, "authenticator")}
    report = values.report
    if kind == "shared-password":
        values.take(f"hub.extraEnv.{names.SHARED_PASSWORD_ENV}")
        values.take(f"hub.extraConfig.{names.SHARED_PASSWORD_FILE}")
        values.take(f"hub.extraEnv.{names.ADMIN_PASSWORD_ENV}")
        values.take(f"hub.extraConfig.{names.ADMIN_PASSWORD_FILE}")
        report.must_give.append(
            ("the shared password", f"${names.SHARED_PASSWORD_ENV}, or `hub up` generates one (mode 0600)")
        )
    if kind == "ldap":
        return copy_ldap_traits(values, f"hub.config.{LDAP_CLASS}", auth)
    if kind == "firstuse":
        return copy_firstuse_traits(values, f"hub.config.{FIRSTUSE_CLASS}", auth)
    if kind not in OAUTH_CLASSES:
        return auth
    cls = OAUTH_CLASSES[kind]
    base = f"hub.config.{cls}"
    client_id = values.take(f"{base}.client_id")
    if options.client_id:
        auth["client_id"] = options.client_id
    elif client_id and "ENC[" not in str(client_id):
        auth["client_id"] = str(client_id)
        report.carried.append((values.prefix + f"{base}.client_id", "authenticator.client_id"))
    else:
        auth["client_id"] = CLIENT_ID_PLACEHOLDER
        report.must_give.append(
            (
                "an OAuth client id",
                f"register a client for the new hub; --client-id, or replace {CLIENT_ID_PLACEHOLDER}",
            )
        )
    secret_env = next(
        (
            env
            for env, spec in (values.get("hub.extraEnv") or {}).items()
            if isinstance(spec, dict)
            and spec.get("valueFrom", {}).get("secretKeyRef", {}).get("key") == names.OAUTH_SECRET_FILE
        ),
        SECRET_ENV,
    )
    values.take(f"hub.extraEnv.{secret_env}")
    values.take(f"hub.extraConfig.{names.OAUTH_SECRET_FILE}")
    auth["client_secret_env"] = secret_env
    if values.get(f"{base}.client_secret") is not None:
        values.take(f"{base}.client_secret")
        report.left_out.append((values.prefix + f"{base}.client_secret", "a secret: never imported, nor shown"))
    report.must_give.append(
        (
            "the OAuth client secret",
            f"${secret_env} (providers keep theirs encrypted, e.g. 2i2c's enc-*.secret.values.yaml)",
        )
    )
    callback = values.take(f"{base}.oauth_callback_url", to="authenticator.callback_url")
    auth["callback_url"] = options.callback_url or callback or LOCAL_CALLBACK
    if not options.callback_url:
        where = "the old hub's" if callback else "where `hub up` serves the new hub"
        report.must_give.append(
            (
                "the OAuth callback URL",
                f"{auth['callback_url']} ({where}); register the new hub's with the provider; --callback-url",
            )
        )
    report.must_give.append(("DNS and HTTPS", "a domain for the new hub, and its certificate"))
    return copy_oauth_traits(values, base, kind, auth)


def copy_oauth_traits(values: FileValues, base: str, kind: str, auth: dict[str, Any]) -> dict[str, Any]:
    """The login class's settings under `base` (values' hub.config.CLS, TLJH's auth.CLS) into `auth`."""
    # OAuthenticator trait -> spec key: the renderer's own table read backwards, and the traits it sets itself.
    copied = {trait: key for key, trait in COPIED_KEYS.items()} | {
        "allowed_hosted_domains": "hosted_domains",  # 2i2c's files use this older name of hosted_domain
        "allowed_idps": "allowed_idps",  # the name before OAuthenticator 17.4 (Zero to JupyterHub 4.3.1 reads it)
        "allowed_organizations": "allowed_organizations",
        "scope": "scope",
        "allow_all": "allow_all",
    }
    for trait, key in copied.items():
        value = values.get(f"{base}.{trait}")
        if value is None or kind not in AUTH_ONLY.get(key, (kind,)):
            continue
        if key == "allowed_idps":
            value = idps(value, values, f"{base}.{trait}")
        elif key in ("hosted_domains", "allowed_organizations", "scope") and isinstance(value, str):
            value = [value]  # traitlets accepts one string for a list; the spec wants the list
        values.take(f"{base}.{trait}", to=f"authenticator.{key}")
        auth[key] = value
    if kind == "google" and "username_claim" in auth and auth["username_claim"] == "email":
        del auth["username_claim"]  # Google's default
    if kind in ("generic-oauth", "azuread"):
        copy_provider_groups(values, base, auth, USER_STATE_KEY.get(kind, "oauth_user"))
    return auth


def copy_provider_groups(values: FileValues, base: str, auth: dict[str, Any], state_key: str) -> None:
    """Groups from the provider: manage_groups with auth_state_groups_key (OAuthenticator 17; before
    it, claim_groups_key) naming a claim of what the provider sent (oauth_user), and allowed_groups."""
    key = values.get(f"{base}.auth_state_groups_key") or values.get(f"{base}.claim_groups_key")
    if not (values.get(f"{base}.manage_groups") and isinstance(key, str)):
        return
    for trait in ("manage_groups", "auth_state_groups_key", "claim_groups_key"):
        if values.get(f"{base}.{trait}") is not None:
            values.take(f"{base}.{trait}", to="authenticator.groups_claim")
    auth["groups_claim"] = key.removeprefix(f"{state_key}.")
    groups = values.get(f"{base}.allowed_groups")
    if groups:
        values.take(f"{base}.allowed_groups", to="authenticator.allowed_groups")
        auth["allowed_groups"] = sorted([groups] if isinstance(groups, str) else groups)


def copy_firstuse_traits(values: FileValues, base: str, auth: dict[str, Any]) -> dict[str, Any]:
    """FirstUseAuthenticator's settings under `base`; the passwords people chose stay in the old hub's
    passwords.dbm, so each person chooses one again at their first login on the new hub."""
    for key in ("min_password_length", "allow_all"):
        value = values.get(f"{base}.{key}")
        if value is not None:
            values.take(f"{base}.{key}", to=f"authenticator.{key}")
            auth[key] = int(value) if key == "min_password_length" else value
    values.report.must_give.append(
        ("passwords", "FirstUse keeps them in the old hub's passwords.dbm: each person sets one again at first login")
    )
    return auth


def copy_ldap_traits(values: FileValues, base: str, auth: dict[str, Any]) -> dict[str, Any]:
    """LDAPAuthenticator's settings under `base` (values' hub.config.LDAPAuthenticator, TLJH's
    auth.LDAPAuthenticator): the spec's keys have the traits' names."""
    for key in (*LDAP_KEYS, "allow_all"):
        value = values.get(f"{base}.{key}")
        if value is None:
            continue
        if key in ("bind_dn_template", "allowed_groups") and isinstance(value, str):
            value = [value]  # traitlets accepts one string for a list; the spec wants the list
        values.take(f"{base}.{key}", to=f"authenticator.{key}")
        auth[key] = int(value) if key == "server_port" else value
    return auth


IDP_KEYS = {"default", "allow_all", "allowed_domains", "username_derivation"}


DERIVATION_KEYS = {"username_claim", "action", "domain", "prefix"}


def idps(value: Any, values: FileValues, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImportConfigError(f"{values.prefix}{key}: {value!r} should be a mapping of CILogon entity ids")
    out = {}
    for idp, settings in value.items():
        settings = dict(settings or {})
        for extra in sorted(set(settings) - IDP_KEYS):
            values.report.left_out.append((f"{values.prefix}{key}.{idp}.{extra}", "no equivalent in the hub spec yet"))
            del settings[extra]
        derivation = dict(settings.get("username_derivation") or {})
        for extra in sorted(set(derivation) - DERIVATION_KEYS):
            where = f"{values.prefix}{key}.{idp}.username_derivation.{extra}"
            values.report.left_out.append((where, "no equivalent in the hub spec yet"))
            del derivation[extra]
        settings["username_derivation"] = derivation
        out[str(idp)] = settings
    return out


def from_tljh(values: FileValues, options: ReaderOptions) -> dict[str, Any]:
    raw = values.take("auth.type")
    tljh_default = raw is None  # TLJH's own login (tljh/configurer.py)
    if tljh_default:
        raw = f"firstuseauthenticator.{FIRSTUSE_CLASS}"
    kind = AUTH_TYPES.get(str(raw))
    if kind is None:
        known = ", ".join(sorted(AUTHENTICATORS))
        raise ImportConfigError(f"auth.type: {raw!r} has no equivalent in the hub spec (it has: {known})")
    report = values.report
    report.carried.append(("auth.type", f"authenticator.type: {kind}"))
    auth: dict[str, Any] = {"type": kind}
    if kind == "shared-password":
        report.must_give.append(
            ("the shared password", f"${names.SHARED_PASSWORD_ENV}, or `hub up` generates one (mode 0600)")
        )
    if kind == "ldap":
        return copy_ldap_traits(values, f"auth.{LDAP_CLASS}", auth)
    if kind == "firstuse":
        auth = copy_firstuse_traits(values, f"auth.{FIRSTUSE_CLASS}", auth)
        if tljh_default and not values.get("users.allowed") and "allow_all" not in auth:
            # TLJH lets everyone in with its default login when no one is listed
            report.carried.append(("users.allowed", "authenticator.allow_all: TLJH's default when none are listed"))
            auth["allow_all"] = True
        return auth
    if kind not in OAUTH_CLASSES:
        return auth
    base = f"auth.{OAUTH_CLASSES[kind]}"
    auth["client_id"] = options.client_id or values.take(f"{base}.client_id", to="authenticator.client_id")
    if not auth["client_id"]:
        auth["client_id"] = CLIENT_ID_PLACEHOLDER
        report.must_give.append(("an OAuth client id", f"--client-id, or replace {CLIENT_ID_PLACEHOLDER}"))
    auth["client_secret_env"] = SECRET_ENV
    report.must_give.append(("the OAuth client secret", f"${SECRET_ENV}"))
    callback = values.take(f"{base}.oauth_callback_url", to="authenticator.callback_url")
    auth["callback_url"] = options.callback_url or callback or LOCAL_CALLBACK
    auth = copy_oauth_traits(values, base, kind, auth)
    if kind == "cilogon" and "allowed_idps" not in auth:
        raise ImportConfigError(
            f"{base}.idps: not in config.yaml (tljh-config cannot write its keys, which hold dots, so a "
            "jupyterhub_config.d file sets it, and those are not read); CILogon needs it: write the spec's "
            "authenticator.allowed_idps yourself"
        )
    return auth
