use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = akar::cli::Cli::parse();
    std::process::ExitCode::from(akar::cli::run(cli) as u8)
}
