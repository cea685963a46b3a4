//! A closed set of values that people type by name (on the command line, in files). Each
//! domain type owns its names and what they mean, once; a front end lists and parses them
//! from here rather than keeping a mirror of its own.

/// A value chosen by name.
pub trait Choice: Copy + Eq + 'static {
    /// Every value, in the order a list of them shows.
    const ALL: &'static [Self];

    /// Its name, as typed.
    fn name(self) -> &'static str;

    /// One line saying what it means.
    fn help(self) -> &'static str;

    /// The value with this name, if there is one.
    fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.name() == name)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Choice;
    use crate::batch::RecordFormat;
    use crate::report::{Audience, Format};

    fn names_are_distinct_and_read_back<T: Choice + std::fmt::Debug>() {
        let mut names: Vec<_> = T::ALL.iter().map(|v| v.name()).collect();
        for value in T::ALL {
            assert_eq!(T::named(value.name()), Some(*value));
            assert!(!value.help().is_empty(), "{value:?} has no help");
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), T::ALL.len());
    }

    #[test]
    fn every_choice_reads_its_own_names_back() {
        names_are_distinct_and_read_back::<Format>();
        names_are_distinct_and_read_back::<Audience>();
        names_are_distinct_and_read_back::<RecordFormat>();
        names_are_distinct_and_read_back::<crate::print::PrintFormat>();
        names_are_distinct_and_read_back::<crate::fhir::ExportFormat>();
        assert_eq!(Format::named("yaml"), None);
    }
}
