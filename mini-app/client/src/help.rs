//! The help text's filter, shared by the teacher's and the staff's «Помощь» pages: the
//! markdown split into headings and paragraphs, and the paragraphs that contain every typed
//! word. Case is folded by hand for Russian and Latin letters only: `str::to_lowercase`
//! would pull the whole Unicode case table into every module that filters (several KB of
//! WebAssembly for a help page).

/// One block of the markdown: a heading (`#` lines) or a paragraph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A `#` line, without its marks.
    Heading(String),
    /// A paragraph, its line breaks read as spaces.
    Paragraph(String),
}

/// Splits the markdown into headings and paragraphs (separated by blank lines).
#[must_use]
pub fn blocks(text: &str) -> Vec<Block> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| match b.strip_prefix('#') {
            Some(heading) => Block::Heading(heading.trim_start_matches('#').trim().to_owned()),
            None => Block::Paragraph(b.split_whitespace().collect::<Vec<_>>().join(" ")),
        })
        .collect()
}

/// Lower case for Cyrillic and Latin letters with «ё» read as «е», so a search matches
/// however the word is typed; other characters stay as they are.
#[must_use]
pub fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'Ё' | 'ё' | 'Е' => 'е',
            'А'..='Я' => char::from_u32(u32::from(c) + 32).unwrap_or(c),
            _ => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The blocks to show for `query`: all of them while it is empty, else only the paragraphs
/// containing every word of it.
#[must_use]
pub fn matching(all: &[Block], query: &str) -> Vec<Block> {
    let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
    if words.is_empty() {
        return all.to_vec();
    }
    all.iter()
        .filter(|b| match b {
            Block::Heading(_) => false,
            Block::Paragraph(p) => {
                let p = fold(p);
                words.iter().all(|w| p.contains(w.as_str()))
            }
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_lowers_russian_and_latin_and_reads_yo_as_ye() {
        assert_eq!(fold("ЁЛКА Ёж АБВЯ абв XYZ Ω 5"), "елка еж абвя абв xyz Ω 5");
    }

    #[test]
    fn filter_keeps_paragraphs_with_every_word() {
        let all =
            blocks("# Помощь\n\n## Сроки\n\nОтвет за 5 рабочих\nдней.\n\nЁлка и Госуслуги.\n");
        assert_eq!(all.len(), 4);
        assert_eq!(matching(&all, "").len(), 4);
        assert_eq!(
            matching(&all, "РАБОЧИХ дней"),
            vec![Block::Paragraph("Ответ за 5 рабочих дней.".to_owned())]
        );
        assert_eq!(matching(&all, "елка госуслуги").len(), 1);
        assert!(
            matching(&all, "сроки").is_empty(),
            "headings are not results"
        );
    }
}
