//! Name normalisation as the caller sees it in `email_domain` and `domain`.

use crate::helpers::*;

#[tokio::test]
async fn case_trailing_dot_and_subdomains_reduce_to_one_registrable_domain() {
    let app = spawn_app().await;
    app.rdap.set("example.co.uk", active("example.co.uk"));
    let body = app.check_email("  Alice@Mail.Dept.EXAMPLE.co.uk. ").await;
    assert_eq!(body["email_domain"], "mail.dept.example.co.uk");
    assert_eq!(body["domain"], "example.co.uk");
    assert_eq!(body["reason"], "domain_active");
    assert_eq!(app.rdap.hits("example.co.uk"), 1);
}

#[tokio::test]
async fn idn_domains_are_looked_up_by_their_a_label() {
    let app = spawn_app().await;
    app.rdap.set("xn--bcher-kva.de", active("xn--bcher-kva.de"));
    let body = app.check_email("user@Bücher.de").await;
    assert_eq!(body["email_domain"], "xn--bcher-kva.de");
    assert_eq!(body["domain"], "xn--bcher-kva.de");
    assert_eq!(app.rdap.hits("xn--bcher-kva.de"), 1);
}

#[tokio::test]
async fn an_uncovered_private_suffix_is_looked_up_at_the_icann_domain_for_its_lapses_only() {
    let app = spawn_app().await;
    app.other_rdap.set("github.io", active("github.io"));
    let body = app.check_email("user@foo.github.io").await;
    assert_eq!(body["email_domain"], "foo.github.io");
    assert_eq!(body["domain"], "github.io");
    assert_eq!(body["reason"], "domain_under_shared_suffix");
    assert_eq!(app.other_rdap.hits("github.io"), 1);
    assert_eq!(app.other_rdap.hits("foo.github.io"), 0);
}
