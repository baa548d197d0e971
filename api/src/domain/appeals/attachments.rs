//! Files attached to a question or to an operator's answer: PDF, JPEG or PNG recognised by
//! their content (not their name), at most 5 MB, at most 3 per question (only its author,
//! while the appeal is open) and 3 per answer (the operator, before sending it). Files
//! live in the upload directory under a random key; the row keeps the shown name and, for
//! an answer's file, the answer's thread message.

use std::path::Path;

use diesel::prelude::*;
use shared::appeals::{AppealStatus, Attachment};
use shared::thread::MessageAuthor;

use super::query::find_in_scope;
use super::{conflict, not_open};
use crate::auth::Caller;
use crate::db::schema::attachments as att;
use crate::db::{self, AnyConnection};
use crate::domain::validate;
use crate::error::ApiError;

/// Most files per question (the teacher's) and per answer (an operator's).
const MAX_ATTACHMENTS: i64 = 3;
/// Largest attachment.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// The type of a file by its first bytes, not by its name.
fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else {
        None
    }
}

/// A file to attach, checked: its shown name, type and stored file's extension.
#[derive(Debug, Clone)]
pub struct Upload {
    name: String,
    content_type: &'static str,
    extension: &'static str,
}

impl Upload {
    /// Checks the name (1–200 characters; slashes become `_`), the size and the type.
    ///
    /// # Errors
    /// 422 for a bad name or an unsupported type, 413 over 5 MB.
    pub fn parse(raw_name: &str, bytes: &[u8]) -> Result<Self, ApiError> {
        let name = validate::text("name", raw_name, 200, true)?
            .unwrap_or_default()
            .replace(['/', '\\'], "_");
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(ApiError::PayloadTooLarge {
                limit: MAX_ATTACHMENT_BYTES,
            });
        }
        let (content_type, extension) = sniff(bytes).ok_or_else(|| {
            ApiError::field(
                "file",
                "unsupported_type",
                "Можно прикрепить PDF, JPEG или PNG.",
            )
        })?;
        Ok(Self {
            name,
            content_type,
            extension,
        })
    }
}

/// Attaches `bytes` (checked as `upload`) to an open appeal of the caller, storing the file
/// in `dir`.
///
/// # Errors
/// 404 outside the scope, 409 on a closed appeal or with 3 files already, 500 when the
/// file cannot be written, or a database failure.
pub fn attach(
    conn: &mut AnyConnection,
    dir: &Path,
    caller: &Caller,
    id: &str,
    upload: Upload,
    bytes: &[u8],
) -> Result<Attachment, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !row.status.is_open() {
        return Err(not_open());
    }
    let count: i64 = att::table
        .filter(att::appeal_id.eq(id))
        .filter(att::uploader_role.eq(MessageAuthor::Teacher))
        .count()
        .get_result(conn)?;
    if count >= MAX_ATTACHMENTS {
        return Err(conflict(
            "too_many_attachments",
            "К обращению можно прикрепить не больше 3 файлов.",
        ));
    }
    store(conn, dir, caller, id, MessageAuthor::Teacher, upload, bytes)
}

/// Attaches a file to the operator's next answer of an appeal awaiting one: the file waits,
/// seen by nobody but its uploader, until [`claim_for_answer`] gives it to the answer's
/// message (so the teacher and the integrators' `appeal.answered` see the answer with its
/// files at once). The same name and size sent again (a retry after a failed answer) is
/// the file already waiting, not a second copy.
///
/// # Errors
/// 404 outside the scope, 409 when the appeal does not await an answer or with 3 files
/// already waiting, 500 when the file cannot be written, or a database failure.
pub fn attach_to_answer(
    conn: &mut AnyConnection,
    dir: &Path,
    caller: &Caller,
    id: &str,
    upload: Upload,
    bytes: &[u8],
) -> Result<Attachment, ApiError> {
    let row = find_in_scope(conn, caller, id)?;
    if !matches!(row.status, AppealStatus::New | AppealStatus::InProgress) {
        return Err(conflict(
            "not_awaiting_answer",
            "Обращение не ждёт ответа (уже отвечено или закрыто).",
        ));
    }
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let waiting = att::table
        .filter(att::appeal_id.eq(id))
        .filter(att::uploaded_by.eq(&caller.user_id))
        .filter(att::uploader_role.eq(MessageAuthor::Operator))
        .filter(att::message_id.is_null());
    let same: Option<(String, String)> = waiting
        .filter(att::file_name.eq(&upload.name))
        .filter(att::size_bytes.eq(size))
        .select((att::id, att::content_type))
        .first(conn)
        .optional()?;
    if let Some((attachment_id, content_type)) = same {
        return Ok(Attachment {
            id: attachment_id,
            name: upload.name,
            size,
            content_type,
            message_id: None,
        });
    }
    let count: i64 = waiting.count().get_result(conn)?;
    if count >= MAX_ATTACHMENTS {
        return Err(conflict(
            "too_many_attachments",
            "К ответу можно прикрепить не больше 3 файлов.",
        ));
    }
    store(
        conn,
        dir,
        caller,
        id,
        MessageAuthor::Operator,
        upload,
        bytes,
    )
}

/// Gives the files `operator_id` uploaded for the answer of appeal `id` to the answer's
/// thread message `message_id`; returns how many.
///
/// # Errors
/// A database failure.
pub fn claim_for_answer(
    conn: &mut AnyConnection,
    id: &str,
    operator_id: &str,
    message_id: &str,
) -> QueryResult<usize> {
    diesel::update(
        att::table
            .filter(att::appeal_id.eq(id))
            .filter(att::uploaded_by.eq(operator_id))
            .filter(att::uploader_role.eq(MessageAuthor::Operator))
            .filter(att::message_id.is_null()),
    )
    .set(att::message_id.eq(message_id))
    .execute(conn)
}

/// Writes the file under a random key, then its row.
fn store(
    conn: &mut AnyConnection,
    dir: &Path,
    caller: &Caller,
    id: &str,
    role: MessageAuthor,
    upload: Upload,
    bytes: &[u8],
) -> Result<Attachment, ApiError> {
    let storage_key = format!("{}.{}", db::new_id(), upload.extension);
    // Write the file first: if the row fails, an orphan file is harmless; a row
    // without its file would not be.
    std::fs::create_dir_all(dir).map_err(ApiError::internal)?;
    std::fs::write(dir.join(&storage_key), bytes).map_err(ApiError::internal)?;
    let attachment_id = db::new_id();
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    diesel::insert_into(att::table)
        .values((
            att::id.eq(&attachment_id),
            att::appeal_id.eq(id),
            att::file_name.eq(&upload.name),
            att::content_type.eq(upload.content_type),
            att::size_bytes.eq(size),
            att::storage_key.eq(&storage_key),
            att::uploaded_by.eq(&caller.user_id),
            att::uploader_role.eq(role),
            att::created_at.eq(db::now()),
        ))
        .execute(conn)?;
    Ok(Attachment {
        id: attachment_id,
        name: upload.name,
        size,
        content_type: upload.content_type.to_owned(),
        message_id: None,
    })
}

/// Whether a file is shown: the teacher's files and the files of a sent answer are; an
/// operator's file waiting for its answer is not (its uploader still may download it).
pub(super) fn shown() -> diesel::dsl::Or<
    diesel::dsl::Eq<att::uploader_role, MessageAuthor>,
    diesel::dsl::IsNotNull<att::message_id>,
> {
    att::uploader_role
        .eq(MessageAuthor::Teacher)
        .or(att::message_id.is_not_null())
}

/// A stored file: its shown name, type and content.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// The name as the teacher gave it.
    pub name: String,
    /// The type recognised at upload.
    pub content_type: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// An attachment of an appeal in the caller's scope, read from `dir`.
///
/// # Errors
/// 404 outside the scope or for a missing file, 403 without access to appeals, or a
/// database failure.
pub fn download(
    conn: &mut AnyConnection,
    dir: &Path,
    caller: &Caller,
    id: &str,
    attachment_id: &str,
) -> Result<StoredFile, ApiError> {
    find_in_scope(conn, caller, id)?;
    let (name, content_type, key): (String, String, String) = att::table
        .find(attachment_id)
        .filter(att::appeal_id.eq(id))
        .filter(shown().or(att::uploaded_by.eq(&caller.user_id)))
        .select((att::file_name, att::content_type, att::storage_key))
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    let bytes = std::fs::read(dir.join(key)).map_err(|_| ApiError::NotFound)?;
    Ok(StoredFile {
        name,
        content_type,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn file_types_come_from_content() {
        assert_eq!(sniff(b"%PDF-1.7 ...").map(|t| t.0), Some("application/pdf"));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).map(|t| t.0),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff(b"\x89PNG\r\n\x1a\n....").map(|t| t.0),
            Some("image/png")
        );
        assert_eq!(sniff(b"MZ\x90\x00 an exe named photo.png"), None);
        assert_eq!(sniff(b""), None);
    }
}
