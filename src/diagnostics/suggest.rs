//! "Did you mean" suggestions for misspelt keys, variables and names.

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let word_lower = word.to_ascii_lowercase();
    let max_edits = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter_map(|candidate| {
            let lower = candidate.to_ascii_lowercase();
            let edits = strsim::damerau_levenshtein(&word_lower, &lower);
            let similar = strsim::jaro_winkler(&word_lower, &lower);
            (edits <= max_edits || similar >= 0.85).then_some((edits, candidate))
        })
        .min_by_key(|(edits, _)| *edits)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_the_nearest_key() {
        let keys = ["method", "path", "params", "headers", "records"];
        assert_eq!(did_you_mean("parms", keys), Some("params"));
        assert_eq!(did_you_mean("recods", keys), Some("records"));
        assert_eq!(did_you_mean("zzz", keys), None);
        assert_eq!(did_you_mean("cvs", ["json", "jsonl", "csv"]), Some("csv"));
    }
}
