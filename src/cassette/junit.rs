//! `qbo-run test --junit FILE`: the outcomes as JUnit XML, one test case per request file.

use super::expect::Outcome;
use crate::diagnostics::{Error, ErrorKind};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// The outcomes as a JUnit XML report.
pub fn junit_xml(outcomes: &[Outcome]) -> Result<String, Error> {
    let mut suite = TestSuite::new("qbo-run test");
    for outcome in outcomes {
        let status = if outcome.failures.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(outcome.failures[0].lines().next().unwrap_or("failed"))
                .set_type("cassette")
                .set_description(outcome.failures.join("\n\n"));
            status
        };
        let mut case = TestCase::new(outcome.name.clone(), status);
        case.set_classname("qbo-run").set_time(outcome.duration);
        suite.add_test_case(case);
    }
    let mut report = Report::new("qbo-run");
    report.add_test_suite(suite);
    report
        .to_string()
        .map_err(|err| Error::new(ErrorKind::Internal, format!("JUnit report: {err}")))
}
