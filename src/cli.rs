//! The command line (SPEC §7). Every flag is an `Option` with no clap default, so that the
//! config precedence (defaults < file < environment < flags) is decided in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::Overrides;

#[derive(Debug, Parser)]
#[command(
    name = "feedwright",
    version,
    about = "Serve RSS 2.0 and Atom 1.0 feeds, with summary and full content, from a directory of Markdown articles.",
    long_about = None,
    after_help = "With no subcommand, feedwright runs `serve`.\n\
Configuration: built-in defaults < --config FILE < FEEDWRIGHT_<SECTION>_<KEY> environment variables < flags."
)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    /// `serve`'s flags, accepted without the subcommand name too (serve is the default).
    #[command(flatten)]
    pub(crate) serve: ServeArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Default, Args)]
pub(crate) struct GlobalArgs {
    /// YAML config file (see config/feedwright.yaml) [env: FEEDWRIGHT_CONFIG]
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "FEEDWRIGHT_CONFIG",
        hide_env = true
    )]
    pub(crate) config: Option<PathBuf>,

    /// Content directory (content.dir)
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) content: Option<PathBuf>,

    /// Public base URL of the site (site.base_url), e.g. https://example.com/blog/
    #[arg(long = "base-url", global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to listen on (server.listen), e.g. 127.0.0.1:8080 or 0.0.0.0:8080; port 0 picks a free port
    #[arg(long, value_name = "ADDR")]
    pub(crate) listen: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon: watch the content directory and serve the feeds over HTTP (default)
    Serve(ServeArgs),
    /// Write every feed as files under DIR, at the paths the daemon serves them
    Build {
        /// Output directory (created if missing)
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Parse the whole content directory and report every problem; exit 1 on any error
    Check {
        /// Also report unknown front matter fields, and fail on warnings too
        #[arg(long)]
        strict: bool,
        /// The site's old feed (RSS or Atom): list its entries whose id or link would
        /// change, and those that match no article (warnings)
        #[arg(long = "previous-feed", value_name = "FILE")]
        previous_feed: Option<PathBuf>,
    },
    /// Exit 0 if the daemon at server.listen answers /healthz with 200, else 1 (for containers)
    Healthcheck {
        /// Address of the daemon to check (server.listen)
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
}

impl Cli {
    /// Parses the process arguments; usage errors print and exit 2 like clap's own.
    pub fn parse_args() -> Self {
        use clap::CommandFactory;
        let cli = Self::parse();
        if let Err(message) = cli.validate() {
            Self::command()
                .error(clap::error::ErrorKind::ArgumentConflict, message)
                .exit();
        }
        cli
    }

    /// `--listen` before a subcommand that has no address would be silently ignored: refuse it.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let has_address = matches!(
            self.command,
            None | Some(Command::Serve(_)) | Some(Command::Healthcheck { .. })
        );
        if self.serve.listen.is_some() && !has_address {
            return Err("--listen is an option of `serve` and `healthcheck`".into());
        }
        Ok(())
    }

    /// The config overrides these flags give.
    pub fn overrides(&self) -> Overrides {
        let listen = match &self.command {
            // Given before the subcommand name or after it.
            Some(Command::Serve(ServeArgs { listen })) | Some(Command::Healthcheck { listen }) => {
                listen.clone().or_else(|| self.serve.listen.clone())
            }
            _ => self.serve.listen.clone(),
        };
        Overrides {
            config_file: self.global.config.clone(),
            content_dir: self.global.content.clone(),
            base_url: self.global.base_url.clone(),
            listen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn cli_serve_is_default_and_listen_works_both_ways() {
        let cli = Cli::try_parse_from(["feedwright", "--config", "f.yaml", "check"]).unwrap();
        assert_eq!(cli.overrides().config_file, Some(PathBuf::from("f.yaml")));
        let cli = Cli::try_parse_from(["feedwright", "--listen", "127.0.0.1:0"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.overrides().listen.as_deref(), Some("127.0.0.1:0"));
        let cli = Cli::try_parse_from(["feedwright", "serve", "--listen", "127.0.0.1:1"]).unwrap();
        assert_eq!(cli.overrides().listen.as_deref(), Some("127.0.0.1:1"));
        // Before the subcommand name too (it was silently ignored there).
        let cli = Cli::try_parse_from(["feedwright", "--listen", "127.0.0.1:2", "serve"]).unwrap();
        assert!(cli.validate().is_ok());
        assert_eq!(cli.overrides().listen.as_deref(), Some("127.0.0.1:2"));
        let cli = Cli::try_parse_from([
            "feedwright",
            "--listen",
            "127.0.0.1:2",
            "serve",
            "--listen",
            "127.0.0.1:3",
        ])
        .unwrap();
        assert_eq!(cli.overrides().listen.as_deref(), Some("127.0.0.1:3"));
        let cli =
            Cli::try_parse_from(["feedwright", "build", "--out", "x", "--content", "c"]).unwrap();
        assert_eq!(cli.overrides().content_dir, Some(PathBuf::from("c")));
        assert!(
            Cli::try_parse_from(["feedwright", "build", "--out", "x", "--listen", "y"]).is_err()
        );
        let cli =
            Cli::try_parse_from(["feedwright", "healthcheck", "--listen", "127.0.0.1:9"]).unwrap();
        assert_eq!(cli.overrides().listen.as_deref(), Some("127.0.0.1:9"));
        let cli =
            Cli::try_parse_from(["feedwright", "--listen", "127.0.0.1:9", "healthcheck"]).unwrap();
        assert!(cli.validate().is_ok());
        assert_eq!(cli.overrides().listen.as_deref(), Some("127.0.0.1:9"));
        let cli = Cli::try_parse_from(["feedwright", "--listen", "y", "check"]).unwrap();
        assert!(cli.validate().is_err());
        assert!(Cli::try_parse_from(["feedwright", "--bogus"]).is_err());
    }
}
