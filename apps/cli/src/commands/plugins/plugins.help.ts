/** The text of `kabar plugins --help`, also shown with every usage error of the command. */
export const PLUGINS_HELP = `kabar plugins discover
kabar plugins list
kabar plugins install DIR|FILE.tgz [--integrity sha512-…] [--name NAME]
kabar plugins approve INSTALL
kabar plugins configure INSTALL (--config-file FILE | --config JSON)
kabar plugins check INSTALL
kabar plugins enable|disable|uninstall INSTALL
kabar plugins rate-limit INSTALL N|none
kabar plugins routes
kabar plugins route CHANNEL INSTALL[:PRIORITY[:WEIGHT]]… [--agency CODE]

Channel plugins on a running hub, over its admin GraphQL API. A plugin is installed (the hub reads the package and
records its integrity), approved (an admin vouches for that exact package), configured (checked against the plugin's
schema), checked (the hub runs the provider's own check, e.g. an SMPP bind), enabled, and routed: a channel's
messages go through the installs its route names. INSTALL is an install's name or its id; the name is the plugin
id (e.g. sms-smpp) unless --name gave another.
  discover   plugin packages the hub finds on its machine (its plugins directory, node_modules), installed or not
  list       installs: name, plugin, state and rate limit (- when none)
  install    DIR or FILE.tgz (from \`npm pack\`) is a path on the hub's machine; a relative path is made absolute
             against the current directory, which is right when the hub runs here. Prints the package's integrity:
             record it, and pass it as --integrity to install the same package elsewhere, so that the hub refuses a
             package that changed since it was reviewed. --name NAME (2-64 lower-case letters, digits and dashes,
             starting with a letter; unique) names the install, so that one plugin can be installed more than once,
             e.g. the SMS plugin once per operator contract: sms-tsel, sms-isat
  configure  the whole configuration, as JSON; prefer --config-file for secrets (flags show in process lists).
             Problems are listed by path; the configuration the hub keeps is printed with secrets as "********"
  check      exits 1 when the check fails, with the provider's detail
  rate-limit caps the install's sends at N messages per second (a whole number, 1 or more) on each hub worker,
             as its provider's contract allows; none lifts the cap
  uninstall  removes the install
  routes     every route: per channel, and per agency where one has its own
  route      sets the route of CHANNEL (with --agency CODE, that agency's own; else the default) to the INSTALLs
             given (names or ids), replacing what it had. Lower PRIORITY first (default 0): failover goes
             down the priorities; WEIGHT (default 100) shares traffic among installs of the same priority,
             e.g. sms-tsel:0:80 sms-isat:0:20 sms-backup:1

Example: the SMS plugin, tried against \`kabar smsc\` (a local SMSC) running in another terminal
  kabar plugins discover
  kabar plugins install ./plugins/sms-smpp        # prints the install's id and the package's integrity
  kabar plugins approve sms-smpp
  kabar plugins configure sms-smpp --config-file smpp.json
      # smpp.json: {"host": "127.0.0.1", "port": 2775, "systemId": "kabar", "password": "secret", "defaultSender": "KABAR"}
  kabar plugins check sms-smpp
  kabar plugins enable sms-smpp
  kabar plugins route sms sms-smpp
  kabar plugins rate-limit sms-smpp 50              # the contract allows 50 SMS a second

Common options (as for \`kabar agencies\`): --url URL (default KABAR_URL), --token TOKEN (default KABAR_TOKEN),
--json (the hub's answer as JSON).`;
