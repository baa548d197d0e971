//! The appeals of a report as CSV: UTF-8 with a byte-order mark and `;` as the separator —
//! what Excel with Russian regional settings opens correctly by double-click (its list
//! separator is `;` because the decimal separator is a comma). Lines end in CRLF; a field
//! is quoted only when it holds the separator, a quote or a line break. Dates are Moscow
//! time, `ДД.ММ.ГГГГ ЧЧ:ММ`.

use std::io::Write;

use super::{
    author, for_each_row, moscow_text, region_names, source_label, status_label, ReportFilter,
    Stop, HEADERS, NUMBER,
};
use crate::db::Pool;

impl From<csv::Error> for Stop {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => io.into(),
            other => Self::Failed(format!("{other:?}")),
        }
    }
}

/// Neutralises a leading `=`, `+`, `-`, `@` (or tab, carriage return) so a spreadsheet
/// never runs the field as a formula.
fn guarded(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// A CSV writer of the report's dialect over `out`.
fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out)
}

/// Writes one record, guarding every field.
fn record<W: Write>(csv: &mut csv::Writer<W>, fields: &[&str]) -> csv::Result<()> {
    csv.write_record(fields.iter().map(|f| guarded(f).into_owned()))
}

/// Writes the whole report: the byte-order mark, the header line, then every appeal
/// (id, region code and name, author or «Анонимно», arrival, deadline, status, source
/// and time of the latest answer, its rating, the human number).
///
/// # Errors
/// [`Stop::ClientGone`] when `out` reports a broken pipe, [`Stop::Failed`] otherwise.
pub fn write(pool: &Pool, filter: &ReportFilter, out: &mut impl Write) -> Result<(), Stop> {
    let names = region_names(pool)?;
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut csv = writer(out);
    let mut titles = HEADERS.to_vec();
    titles.push(NUMBER);
    record(&mut csv, &titles)?;
    for_each_row(pool, filter, |row| {
        let (source, answered_at, score) = match &row.answer {
            Some((source, at, score)) => (
                source_label(source).to_owned(),
                moscow_text(*at),
                score.map(|s| s.to_string()).unwrap_or_default(),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        record(
            &mut csv,
            &[
                &row.id,
                &row.region_code,
                names.get(&row.region_code).map_or("", String::as_str),
                &author(row),
                &moscow_text(row.created_at),
                &row.deadline_at.map(moscow_text).unwrap_or_default(),
                &status_label(row),
                &source,
                &answered_at,
                &score,
                &row.number,
            ],
        )?;
        Ok(())
    })?;
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_guarded() {
        let mut out = Vec::new();
        {
            let mut csv = writer(&mut out);
            record(&mut csv, &["Иванова; Анна", "say \"hi\"", "=1+1", "обычно"]).unwrap();
            record(&mut csv, &["", "a\nb", "-1", "x"]).unwrap();
            csv.flush().unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"Иванова; Анна\";\"say \"\"hi\"\"\";'=1+1;обычно\r\n;\"a\nb\";'-1;x\r\n"
        );
    }
}
