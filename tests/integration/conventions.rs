//! The conventions of a command-line tool: completions, a manual page, `--version` on every
//! subcommand, the rule set from the environment, a byte-order mark in a JSON file.

use assert_cmd::Command;

fn triage() -> Command {
    Command::cargo_bin("massage-triage").unwrap()
}

fn stdout(args: &[&str]) -> String {
    let output = triage().args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn completions_name_every_subcommand_in_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        for word in ["assess", "batch", "intake", "rules", "answers", "input-format", "time-limit", "min-coverage"] {
            assert!(script.contains(word), "{shell}: {word}");
        }
    }
    triage().args(["completions", "tcsh"]).assert().code(2);
}

/// A subcommand's arguments are built only when it runs: its help must still open with its
/// own description (as its parent lists it), not its arguments struct's, and list them.
#[test]
fn each_subcommand_help_opens_with_its_description_and_lists_its_arguments() {
    let cases: [(&[&str], &str); 9] = [
        (&["intake"], "--plain"),
        (&["assess"], "--answers"),
        (&["batch"], "--input-format"),
        (&["rules", "check"], "--time-limit"),
        (&["rules", "test"], "--min-coverage"),
        (&["rules", "replay"], "--fail-on-change"),
        (&["rules", "diff"], "--fail-on-change"),
        (&["rules", "print"], "--output"),
        (&["rules", "export"], "--record"),
    ];
    for (path, argument) in cases {
        let (name, parent) = path.split_last().unwrap();
        let listing = stdout(&[parent, &["--help"]].concat());
        // Its entry in the list of commands, with the lines it wraps onto.
        let mut lines = listing.lines().skip_while(|line| !line.starts_with(&format!("  {name} ")));
        let first = lines.next().unwrap_or_else(|| panic!("{path:?} not listed: {listing}"));
        let wrapped = lines.take_while(|line| line.starts_with("   "));
        let listed = std::iter::once(first[2 + name.len()..].trim_start())
            .chain(wrapped.map(str::trim_start))
            .collect::<Vec<_>>()
            .join(" ");
        for help in [stdout(&[path, &["--help"]].concat()), stdout(&[&["help"], path].concat())] {
            // Its first paragraph, which clap wraps at 100 columns.
            let opening = help.lines().take_while(|line| !line.is_empty()).collect::<Vec<_>>().join(" ");
            assert_eq!(opening, listed, "{path:?}: {help}");
            assert!(help.contains(argument) && help.contains("--color"), "{path:?}: {help}");
        }
    }
}

#[test]
fn the_manual_page_is_roff_with_the_subcommands() {
    let page = stdout(&["--man"]);
    assert!(page.starts_with(".ie ") || page.contains(".TH massage-triage 1"), "{page}");
    assert!(page.contains(".TH massage-triage 1"));
    for word in ["assess", "batch", "intake", "rules", "completions"] {
        assert!(page.contains(word), "{word}");
    }
}

#[test]
fn every_subcommand_has_version() {
    let version = format!(" {}", env!("CARGO_PKG_VERSION"));
    for args in
        [&["--version"][..], &["intake", "--version"], &["batch", "--version"], &["rules", "check", "--version"]]
    {
        let text = stdout(args);
        let mut lines = text.lines();
        assert!(lines.next().unwrap().ends_with(&version), "{args:?}: {text}");
        // The built-in rule set it carries, named.
        let built_in = lines.next().unwrap();
        assert!(built_in.starts_with("built-in rules: massage-triage built-in "), "{built_in}");
        let digest = massage_triage::rules::BUILT_IN_DIGEST.to_string();
        assert!(built_in.contains(&format!("sha256 {}", &digest[..12])), "{built_in}");
    }
}

#[test]
fn the_rule_set_can_come_from_the_environment() {
    let answers = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/answers/desk-worker.toml");
    let output = triage()
        .args(["assess", "--answers", answers])
        .env("MASSAGE_TRIAGE_RULES", "/nonexistent-rules")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--> /nonexistent-rules/questionnaire.toml"));
    // `--rules` wins over the environment.
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
    let output = triage()
        .args(["assess", "--answers", answers, "--rules", rules])
        .env("MASSAGE_TRIAGE_RULES", "/nonexistent-rules")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_json_answer_file_with_a_byte_order_mark_is_read_and_placed_after_it() {
    let json = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/answers/desk-worker.json"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bom.json");
    std::fs::write(&file, format!("\u{feff}{json}")).unwrap();
    triage().args(["assess", "--answers", file.to_str().unwrap()]).assert().code(0);
    std::fs::write(&file, format!("\u{feff}{}", json.replace("\"medium\"", "\"medum\""))).unwrap();
    let output = triage().args(["assess", "--answers", file.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let line = json.lines().position(|l| l.contains("\"medium\"")).unwrap() + 1;
    let column = json.lines().nth(line - 1).unwrap().find("\"medium\"").unwrap() + 1;
    assert!(stderr.contains(&format!("bom.json:{line}:{column}\n")), "{stderr}");
}

/// Standard output of a run with these arguments and environment, colour variables removed
/// first.
fn coloured(args: &[&str], env: &[(&str, &str)]) -> bool {
    let mut command = triage();
    command.args(args).env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").env_remove("CLICOLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap().stdout.contains(&0x1b)
}

#[test]
fn colour_follows_the_flag_and_the_conventions_help_included() {
    let emergency = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/emergency.toml");
    let assess = ["assess", "--answers", emergency];
    assert!(!coloured(&assess, &[]), "not a terminal");
    assert!(coloured(&assess, &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(&assess, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), "NO_COLOR wins");
    assert!(coloured(&[&assess[..], &["--color", "always"]].concat(), &[]));
    assert!(!coloured(&[&assess[..], &["--color", "always"]].concat(), &[("NO_COLOR", "1")]));
    assert!(coloured(&["--color", "always", "--help"], &[]));
    assert!(coloured(&["rules", "check", "--help", "--color=always"], &[]));
    assert!(!coloured(&["--color", "never", "--help"], &[("CLICOLOR_FORCE", "1")]));
    assert!(!coloured(&["--color", "always", "--help"], &[("NO_COLOR", "1")]));
}

#[test]
fn with_format_json_errors_are_json_lines_on_standard_error() {
    let output = triage()
        .args(["assess", "--format", "json", "--answers", "-"])
        .write_stdin("version = 2\nduration = \"acut\"\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "results only on standard output");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let errors: Vec<serde_json::Value> = stderr.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let first = &errors[0]["error"];
    assert_eq!(first["code"], "unknown-option");
    assert_eq!(
        (first["file"].as_str(), first["line"].as_u64(), first["column"].as_u64()),
        (Some("-"), Some(2), Some(12))
    );
    assert_eq!(first["suggestion"], "acute");
    assert!(errors[1..].iter().all(|e| e["error"]["code"] == "missing-answer"), "{stderr}");
    // Without --format json, the same problems in words.
    let output = triage().args(["assess", "--answers", "-"]).write_stdin("version = 2\n").output().unwrap();
    assert!(String::from_utf8(output.stderr).unwrap().starts_with("error[missing-answer]: "));
}

#[test]
fn every_subcommands_help_has_an_example_and_its_exit_codes() {
    for args in [&["assess"][..], &["intake"], &["batch"], &["rules", "check"], &["rules", "test"]] {
        let help = stdout(&[args, &["--help"]].concat());
        assert!(help.contains("\nExample:\n  massage-triage "), "{args:?}: {help}");
        assert!(help.contains("\nExit codes: 0 "), "{args:?}: {help}");
    }
    // The output format's values describe the output, not the input.
    let batch = stdout(&["batch", "--help"]);
    assert!(batch.contains("Output format: JSON Lines results"), "{batch}");
}

#[test]
fn rules_init_writes_the_built_in_set_and_overwrites_only_with_force() {
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path().join("my-rules");
    let dir_text = dir.to_str().unwrap();
    assert!(stdout(&["rules", "init", dir_text]).starts_with("wrote the built-in rule set into "));
    let rules = std::fs::read_to_string(dir.join("rules.toml")).unwrap();
    assert_eq!(rules, massage_triage::rules::BUILT_IN_RULES);
    // The copy is the built-in set, byte for byte: the same digest, safe, over the floor.
    let check = stdout(&["rules", "check", "--format", "json", "--rules", dir_text]);
    let check: serde_json::Value = serde_json::from_str(&check).unwrap();
    assert_eq!(check["rule_set"]["sha256"], massage_triage::rules::BUILT_IN_DIGEST.to_string());
    assert_eq!(check["passed"], true);
    // Again: refused, every existing file named, nothing touched.
    std::fs::write(dir.join("rules.toml"), "# edited\n").unwrap();
    let output = triage().args(["rules", "init", dir_text]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for name in ["questionnaire.toml", "rules.toml", "cases.toml"] {
        assert!(stderr.contains(&format!("{name} already exists")), "{stderr}");
    }
    assert!(stderr.contains("add --force to replace it") && stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.join("rules.toml")).unwrap(), "# edited\n");
    // With --force: the built-in set again.
    stdout(&["rules", "init", dir_text, "--force"]);
    assert_eq!(std::fs::read_to_string(dir.join("rules.toml")).unwrap(), massage_triage::rules::BUILT_IN_RULES);
}
