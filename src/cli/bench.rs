//! `rmaboard bench`: the shop-scale benchmark (built with the `bench` feature).

use super::{BenchCommand, Context, Failure, Outcome, progress_bar};
use crate::store::Store;

pub(super) fn run(cx: &Context, command: BenchCommand) -> Outcome {
    let Some(db) = cx.db.clone() else {
        return Err(Failure::new(
            "the benchmark needs its own database: give --db PATH",
        ));
    };
    match command {
        BenchCommand::Generate {
            sales,
            cases,
            seed,
            csv,
        } => {
            let now = cx.now();
            if let Some(csv) = csv {
                crate::bench::write_sales_csv(&csv, sales, seed, now.date_naive())
                    .map_err(|e| Failure::new(format!("could not write {}: {e}", csv.display())))?;
            }
            let mut store = Store::open(&db)?;
            let bar = progress_bar(Some(sales + cases), "generating");
            let started = std::time::Instant::now();
            let made = crate::bench::generate(
                &mut store,
                &crate::bench::GenerateOptions { sales, cases, seed },
                now,
                &mut |what, n, _| {
                    let done = if what == "sales" { n } else { sales + n };
                    bar.set_position(done);
                },
            )?;
            bar.finish_and_clear();
            println!(
                "{}: {} sales, {} cases in {:.1} s",
                db.display(),
                made.sales,
                made.cases,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        BenchCommand::Run {
            import_rows,
            samples,
            import_runs,
            import_only,
            boards,
            idle_secs,
            colleagues,
        } => {
            let opts = crate::bench::RunOptions {
                db,
                import_rows,
                samples,
                import_runs,
                import_only,
            };
            let server = crate::tui::bench::server::ServerOptions {
                boards: boards.into_iter().filter(|&n| n > 0).collect(),
                idle: std::time::Duration::from_secs(idle_secs.max(1)),
                writers: colleagues,
            };
            crate::bench::run(&opts, &mut |db| {
                let mut rows = crate::tui::bench::figures(db);
                if !server.boards.is_empty() {
                    rows.extend(crate::tui::bench::server::figures(db, &server));
                }
                rows
            })?;
            Ok(())
        }
        BenchCommand::Writer { seed } => Ok(crate::bench::writer(&db, seed)?),
    }
}
