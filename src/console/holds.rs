//! The holds' actions (the overview lists the holds).

use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::layout::api_error_page as failed;
use super::session::{CsrfForm, Signed};
use crate::app::AppState;
use crate::error::ApiError;
use crate::usecases::holds;

/// `POST /admin/holds/{host}/{action}`: release (publish) or discard a host's hold.
pub async fn act_on_hold(
    State(app): State<AppState>,
    signed: Signed,
    Path((host, action)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = signed.check_action(&form.csrf) {
        return *refused;
    }
    let actor = &signed.actor;
    let (result, done) = match action.as_str() {
        "release" => (
            holds::release(&app, actor, host).await.map(|_| ()),
            "released",
        ),
        "discard" => (
            holds::discard(&app, actor, host).await.map(|_| ()),
            "discarded",
        ),
        _ => (Err(ApiError::NotFound), ""),
    };
    match result {
        Ok(()) => Redirect::to(&format!("/admin?done={done}")).into_response(),
        Err(error) => failed(error),
    }
}
