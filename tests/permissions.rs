//! A member of staff without write permission on the shared database may look but not
//! change, and is told so in plain words. Run as root, the binary is started as the
//! unprivileged user `nobody` (root would ignore file modes).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn is_root() -> bool {
    rmaboard::sys::effective_uid() == 0
}

/// Run the binary as a user who may read but not write the database.
fn as_reader(db: &Path, args: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_rmaboard");
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env("RMABOARD_CONFIG", "/nonexistent/rmaboard.toml")
        .env("RMABOARD_USER", "reader")
        .env("HOME", "/nonexistent")
        .output()
        .unwrap()
}

fn as_owner(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rmaboard"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RMABOARD_CONFIG", "/nonexistent/rmaboard.toml")
        .env("RMABOARD_USER", "owner")
        .output()
        .unwrap()
}

#[test]
fn a_reader_may_look_but_not_change() {
    if is_root() && Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("setpriv is missing: cannot drop root to test file modes");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A shared folder everyone may enter; the database itself readable only.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let db = dir.path().join("shop.sqlite");
    let out = as_owner(&db, &["demo", "--no-board"]);
    assert!(out.status.success(), "{out:?}");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let before = std::fs::read(&db).unwrap();

    let list = as_reader(&db, &["list", "--stage", "received"]);
    assert!(list.status.success(), "{list:?}");
    let first = String::from_utf8_lossy(&list.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(first.starts_with("RMA-"), "{list:?}");
    let show = as_reader(&db, &["show", &first]);
    assert!(show.status.success(), "{show:?}");

    let note = as_reader(&db, &["note", &first, "trying to write"]);
    assert_eq!(note.status.code(), Some(1), "{note:?}");
    let err = String::from_utf8_lossy(&note.stderr);
    assert!(
        err.contains("read-only for you") && err.contains("nothing was saved"),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("locked"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file changed");
    // The sidecar files the reader created do not lock writers out.
    for suffix in ["-wal", "-shm"] {
        let mut side = db.clone().into_os_string();
        side.push(suffix);
        if let Ok(m) = std::fs::metadata(&side) {
            assert_eq!(
                m.permissions().mode() & 0o070,
                0o060,
                "{suffix} must be group-writable"
            );
        }
    }
}

#[test]
fn nobody_else_may_read_customer_data() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let db = dir.path().join("shop.sqlite");
    assert!(as_owner(&db, &["init"]).status.success());
    let mode = std::fs::metadata(&db).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o660, "group may read and write, others nothing");
    if is_root() {
        // Someone outside the group is refused with a sentence, not a crash.
        let out = as_reader(&db, &["list"]);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("rmaboard: you may not read the database"),
            "{err}"
        );
        assert!(err.contains("staff group"), "{err}");
    }
}

#[test]
fn a_read_only_folder_still_lets_staff_look() {
    if !is_root() {
        // Without root the folder's mode cannot be tested apart from the file's.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    assert!(as_owner(&db, &["demo", "--no-board"]).status.success());
    // The file is writable, the folder is not: SQLite cannot create its -wal and -shm.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o666)).unwrap();
    let list = as_reader(&db, &["list", "--stage", "inspected"]);
    assert!(list.status.success(), "{list:?}");
    assert!(String::from_utf8_lossy(&list.stdout).contains("RMA-"));
    let note = as_reader(&db, &["note", "RMA-2026-00001", "hello"]);
    assert_eq!(note.status.code(), Some(1), "{note:?}");
    assert!(String::from_utf8_lossy(&note.stderr).contains("read-only for you"));
    let fresh = as_reader(&dir.path().join("new.sqlite"), &["init"]);
    assert_eq!(fresh.status.code(), Some(1), "{fresh:?}");
    assert!(String::from_utf8_lossy(&fresh.stderr).contains("the folder is not writable for you"));
}

#[test]
fn doctor_tells_someone_outside_the_group_to_ask_for_access() {
    if !is_root() {
        // Without root the test cannot be someone else.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // The shop's folder: only its group may enter.
    let shop = dir.path().join("shop");
    std::fs::create_dir(&shop).unwrap();
    let db = shop.join("shop.sqlite");
    assert!(as_owner(&db, &["init"]).status.success());
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&shop, std::fs::Permissions::from_mode(0o770)).unwrap();
    let out = as_reader(&db, &["doctor"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "rmaboard: you may not read the database {}",
            db.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("staff group") && !err.contains("there is no database"),
        "{err}"
    );
}

/// Run the binary as staff member `uid` of the staff group 60010, with the umask most
/// accounts have (022), as a login over SSH would.
fn as_staff(uid: u32, db: &Path, args: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_rmaboard");
    let mut cmd = Command::new("setpriv");
    cmd.args([
        &format!("--reuid={uid}"),
        "--regid=60010",
        "--clear-groups",
        "sh",
        "-c",
        "umask 022; exec \"$@\"",
        "sh",
        bin,
    ]);
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env("RMABOARD_CONFIG", "/nonexistent/rmaboard.toml")
        .env("RMABOARD_SYSTEM_CONFIG", "/nonexistent/system.toml")
        .env("RMABOARD_USER", format!("staff{uid}"))
        .env("HOME", "/nonexistent")
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

#[test]
fn two_colleagues_of_one_group_both_write_their_bills() {
    if !is_root() || Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("needs root and setpriv to act as two members of staff: not run");
        return;
    }
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    // The README's shop server: a folder only the group may enter, setgid.
    let shop = dir.path().join("srv");
    std::fs::create_dir(&shop).unwrap();
    std::os::unix::fs::chown(&shop, Some(0), Some(60010)).unwrap();
    std::fs::set_permissions(&shop, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let sales = dir.path().join("sales.csv");
    std::fs::write(
        &sales,
        "imei,order_number,customer_number,model,category,dispatched_on\n\
         490154203237518,SO-1,C-1,CECT P30,phone,2026-01-10\n\
         260531793113837,SO-2,C-2,CECT Tab 8,tablet,2026-01-10\n",
    )
    .unwrap();
    std::fs::set_permissions(&sales, std::fs::Permissions::from_mode(0o644)).unwrap();
    let db = shop.join("rmaboard.sqlite");
    let ok = |uid: u32, args: &[&str]| {
        let out = as_staff(uid, &db, args);
        assert!(
            out.status.success(),
            "staff {uid} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let ship = |uid: u32, imei: &str, s10: &str| {
        let rma = String::from_utf8(
            ok(
                uid,
                &[
                    "--at",
                    "2026-03-01",
                    "open",
                    "--imei",
                    imei,
                    "--fault",
                    "no sound",
                ],
            )
            .stdout,
        )
        .unwrap()
        .trim()
        .to_string();
        ok(uid, &["--at", "2026-03-02", "receive", &rma]);
        ok(
            uid,
            &[
                "--at",
                "2026-03-03",
                "send",
                &rma,
                "--manufacturer-ref",
                "M-1",
            ],
        );
        ok(uid, &["--at", "2026-03-10", "inspect", &rma, "--pass"]);
        let out = ok(
            uid,
            &["--at", "2026-03-11", "ship", &rma, "--tracking", s10],
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    ok(60001, &["sales", "import", &sales.display().to_string()]);
    // Anna ships first and so creates the bills folder; Ben ships after her.
    let anna = ship(60001, "490154203237518", "RR123456785CN");
    assert!(anna.contains("bill B-000001 written"), "{anna}");
    let ben = ship(60002, "260531793113837", "RR473124829CN");
    assert!(ben.contains("bill B-000002 written"), "{ben}");
    assert!(!ben.contains("could not be written"), "{ben}");
    let bills = shop.join("bills");
    let meta = std::fs::metadata(&bills).unwrap();
    assert_eq!(
        meta.gid(),
        60010,
        "the bills folder belongs to the staff group"
    );
    assert_eq!(
        meta.mode() & 0o070,
        0o070,
        "the group may write: {:o}",
        meta.mode()
    );
    assert_eq!(
        meta.mode() & 0o007,
        0,
        "others may not enter: {:o}",
        meta.mode()
    );
    for f in std::fs::read_dir(&bills).unwrap() {
        let m = f.unwrap().metadata().unwrap();
        assert_eq!(m.mode() & 0o777, 0o660, "{:o}", m.mode());
        assert_eq!(m.gid(), 60010);
    }
}
