use anyhow::Result;
use clap::Parser;

/// {{project_name}}: say hello.
#[derive(Parser)]
struct Args {
    /// Who to greet
    #[arg(default_value = "world")]
    name: String,
}

fn main() -> Result<()> {
    let args = Args::parse();
    println!("hello, {}", args.name);
    Ok(())
}
