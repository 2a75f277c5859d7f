//! Every route of the web app with the least role that may use it, and which of them are about the instance
//! rather than one project's data: shared by the role, access and security tests.

/// Every route of the web app with the least role that may use it (`None`: open to everyone).
pub const WEB_ROUTES: &[(&str, &str, Option<tropa_meta::Role>)] = {
    use tropa_meta::Role::{Admin, Analyst, Viewer};
    &[
        ("GET", "/login", None),
        ("POST", "/login", None),
        ("GET", "/app.css", None),
        ("GET", "/app.js", None),
        ("GET", "/", Some(Viewer)),
        ("GET", "/funnels", Some(Viewer)),
        ("GET", "/paths", Some(Viewer)),
        ("GET", "/stages", Some(Viewer)),
        ("POST", "/stages", Some(Analyst)), // with action=save; action=show is open to viewers
        ("GET", "/stages/definition", Some(Viewer)),
        ("GET", "/retention", Some(Viewer)),
        ("GET", "/customers", Some(Viewer)),
        ("POST", "/logout", Some(Viewer)),
        ("GET", "/settings", Some(Viewer)),
        ("POST", "/settings/lang", Some(Viewer)),
        ("POST", "/settings/password", Some(Viewer)),
        ("GET", "/settings/projects", Some(Admin)),
        ("POST", "/settings/projects", Some(Admin)),
        ("GET", "/settings/project", Some(Admin)),
        ("POST", "/settings/project", Some(Admin)),
        ("GET", "/settings/members", Some(Admin)),
        ("POST", "/settings/members", Some(Admin)),
        ("POST", "/settings/members/remove", Some(Admin)),
        ("GET", "/settings/keys", Some(Admin)),
        ("POST", "/settings/keys", Some(Admin)),
        ("POST", "/settings/keys/revoke", Some(Admin)),
        ("GET", "/settings/users", Some(Admin)),
        ("POST", "/settings/users", Some(Admin)),
        ("POST", "/settings/users/role", Some(Admin)),
        ("POST", "/settings/users/password", Some(Admin)),
        ("POST", "/settings/users/delete", Some(Admin)),
        ("GET", "/settings/audit", Some(Admin)),
        ("POST", "/reports/save", Some(Analyst)),
        ("POST", "/reports/delete", Some(Analyst)),
        ("GET", "/maps", Some(Viewer)),
        ("POST", "/maps", Some(Analyst)),
        ("POST", "/maps/import", Some(Analyst)),
        ("GET", "/maps/{id}", Some(Viewer)),
        ("POST", "/maps/{id}/edit", Some(Analyst)),
        ("GET", "/maps/{id}/history", Some(Viewer)),
        ("GET", "/maps/{id}/compare", Some(Viewer)),
        ("GET", "/maps/{id}/export", Some(Viewer)),
        ("POST", "/maps/{id}/share", Some(Analyst)),
        ("POST", "/maps/{id}/unshare", Some(Analyst)),
        ("POST", "/maps/{id}/delete", Some(Analyst)),
        ("POST", "/maps/{id}/stages", Some(Analyst)),
        ("GET", "/maps/{id}/rules", Some(Analyst)),
        ("POST", "/maps/{id}/rules", Some(Analyst)),
        ("POST", "/maps/{id}/versions/{v}/name", Some(Analyst)),
        ("POST", "/maps/{id}/versions/{v}/restore", Some(Analyst)),
        ("GET", "/share/{token}", None), // the read-only page of a share link: the token is the permission
        ("GET", "/share/{token}/export", None),
        ("GET", "/map.js", None),
        ("GET", "/personas", Some(Viewer)),
        ("POST", "/personas", Some(Analyst)),
        ("POST", "/personas/delete", Some(Analyst)),
    ]
};

/// The routes about the instance rather than one project's data (everything else with a role is a project route).
pub const INSTANCE_ROUTES: &[&str] = &[
    "/logout",
    "/settings",
    "/settings/lang",
    "/settings/password",
    "/settings/projects",
    "/settings/users",
    "/settings/users/role",
    "/settings/users/password",
    "/settings/users/delete",
    "/settings/audit",
];
