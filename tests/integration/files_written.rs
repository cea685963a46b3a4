//! One rule for every file the tool writes at a path the user names (README, "Files the tool
//! writes"): an existing file is refused before any work (exit 2, the file untouched, no
//! temporary file left) unless `--force`, which replaces it whole and owner-only. The intake's
//! `--save` and `--record` are driven in a pseudo-terminal (`intake_pty`); here, every other
//! command that writes a file.

use assert_cmd::Command;
use std::path::Path;

const KEPT: &str = "yesterday's file, not to be lost\n";

fn fixture(path: &str) -> String {
    format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// A command that writes one FILE: its name, and its arguments for that FILE.
type Writer = (&'static str, fn(&str) -> Vec<String>);

/// Every command that writes one FILE.
fn writers() -> Vec<Writer> {
    vec![
        ("batch --output", |file| strings(&["batch", "--input", &fixture("batch/good.jsonl"), "--output", file])),
        ("rules print --output", |file| strings(&["rules", "print", "--output", file])),
        ("rules export --output", |file| strings(&["rules", "export", "--format", "fhir", "--output", file])),
    ]
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

fn run(args: &[String]) -> (i32, String) {
    let output = Command::cargo_bin("massage-triage").unwrap().args(args).env_remove("NO_COLOR").output().unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[cfg(unix)]
fn assert_owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600, "{}", path.display());
}

#[cfg(not(unix))]
fn assert_owner_only(_: &Path) {}

#[test]
fn an_existing_output_file_is_refused_without_force_and_replaced_with_it() {
    for (command, args) in writers() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.txt");
        std::fs::write(&file, KEPT).unwrap();
        let (code, stderr) = run(&args(file.to_str().unwrap()));
        assert_eq!(code, 2, "{command}: {stderr}");
        assert!(stderr.contains("out.txt already exists; choose another name, or add --force"), "{command}: {stderr}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), KEPT, "{command}");
        assert_eq!(names_in(dir.path()), ["out.txt"], "{command}: nothing else written");

        let mut forced = args(file.to_str().unwrap());
        forced.push("--force".to_owned());
        let (code, stderr) = run(&forced);
        assert_eq!(code, 0, "{command}: {stderr}");
        assert_ne!(std::fs::read_to_string(&file).unwrap(), KEPT, "{command}");
        assert_owner_only(&file);
        assert_eq!(names_in(dir.path()), ["out.txt"], "{command}: no temporary file left");
    }
}

#[test]
fn the_refusal_comes_before_any_work() {
    // A rule set that does not load, and for batch an input that does not exist: the
    // refusal of the output is what is said, so nothing was read or proven first.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.txt");
    std::fs::write(&file, KEPT).unwrap();
    let missing = dir.path().join("missing");
    for (command, args) in writers() {
        let mut args = args(file.to_str().unwrap());
        args.extend(strings(&["--rules", missing.to_str().unwrap()]));
        if command.starts_with("batch") {
            args[2] = missing.join("records.jsonl").to_str().unwrap().to_owned();
        }
        let (code, stderr) = run(&args);
        assert_eq!(code, 2, "{command}: {stderr}");
        assert!(stderr.contains("already exists"), "{command}: {stderr}");
        assert!(!stderr.contains("missing"), "{command} read something first: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), KEPT);
}

#[test]
fn a_folder_or_a_missing_folder_is_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("nowhere").join("out.txt");
    for (command, args) in writers() {
        for (target, says) in [(dir.path(), "it is a folder"), (nowhere.as_path(), "does not exist")] {
            let mut args = args(target.to_str().unwrap());
            args.push("--force".to_owned());
            let (code, stderr) = run(&args);
            assert_eq!(code, 2, "{command} {}: {stderr}", target.display());
            assert!(stderr.contains(says), "{command}: {stderr}");
        }
    }
    assert_eq!(names_in(dir.path()), Vec::<String>::new());
}

#[test]
fn rules_init_refuses_existing_files_before_writing_any_and_replaces_them_with_force() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cases.toml"), KEPT).unwrap();
    let target = dir.path().to_str().unwrap().to_owned();
    let (code, stderr) = run(&strings(&["rules", "init", &target]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cases.toml already exists; choose another name, or add --force"), "{stderr}");
    assert_eq!(names_in(dir.path()), ["cases.toml"], "nothing written");
    let (code, stderr) = run(&strings(&["rules", "init", &target, "--force"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(names_in(dir.path()), ["cases.toml", "questionnaire.toml", "rules.toml"]);
    assert_eq!(std::fs::read_to_string(dir.path().join("cases.toml")).unwrap(), massage_triage::rules::BUILT_IN_CASES);
    assert_owner_only(&dir.path().join("rules.toml"));
}

#[test]
fn standard_output_is_no_file_to_refuse() {
    for (command, args) in writers() {
        let (code, stderr) = run(&args("-"));
        assert_eq!(code, 0, "{command}: {stderr}");
    }
}
