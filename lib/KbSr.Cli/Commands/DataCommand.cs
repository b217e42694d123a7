using System.CommandLine;
using KbSr.Data;

namespace KbSr.Cli.Commands;

/// <summary>
/// `kbsr data list | verify | get`: the dataset catalogue (data/catalog.json) against a data root
/// (docs/design.md §3.4). Exit codes: 0 ok, 1 a check or download failed, 2 bad arguments or no data root.
/// </summary>
internal static class DataCommand
{
    public static Command Build()
    {
        var command = new Command("data", "Datasets: list the catalogue, verify local copies, download");
        command.Subcommands.Add(BuildList());
        command.Subcommands.Add(BuildVerify());
        command.Subcommands.Add(BuildGet());
        return command;
    }

    private static Option<string?> DataOption() => new("--data")
    {
        Description = $"Data root (default: ${DataRoot.Variable}, else data/datasets in the repository)",
    };

    private static Command BuildList()
    {
        var data = DataOption();
        var command = new Command("list", "Show the catalogue and which sets are present under the data root") { data };
        command.SetAction(parse =>
        {
            string? root = TryRoot(parse.GetValue(data), out string? why);
            Console.WriteLine(root is null ? $"data root: none ({why})" : $"data root: {root}");
            var rows = DatasetCatalog.Load().Select(d =>
            {
                string present = "-";
                if (root is not null && Directory.Exists(Path.Combine(root, d.Name)))
                {
                    var check = DatasetVerifier.CountOnly(d, root);
                    present = check.Found == d.Files ? $"yes ({check.Found})" : $"{check.Found} files!";
                }
                return new[] { d.Name, d.Role ?? "", d.Files.ToString(System.Globalization.CultureInfo.InvariantCulture), present, d.Url is null ? "(manual)" : "get", d.Description };
            }).ToList();
            PrintTable(["name", "role", "files", "present", "download", "description"], rows);
            return 0;
        });
        return command;
    }

    private static Command BuildVerify()
    {
        var data = DataOption();
        var names = new Argument<string[]>("name")
        {
            Description = "Datasets to check (default: every catalogue set present under the data root)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("verify", "Check file counts and, where a MANIFEST.sha256 lists them, checksums") { names, data };
        command.SetAction(parse =>
        {
            string root;
            List<DatasetInfo> sets;
            try
            {
                root = DataRoot.Resolve(parse.GetValue(data));
                string[] requested = parse.GetValue(names) ?? [];
                sets = requested.Length > 0
                    ? [.. requested.Select(DatasetCatalog.Find)]
                    : [.. DatasetCatalog.Load().Where(d => Directory.Exists(Path.Combine(root, d.Name)))];
            }
            catch (Exception e) when (e is IOException or KeyNotFoundException or ArgumentException)
            {
                Console.Error.WriteLine("kbsr data verify: " + e.Message);
                return 2;
            }
            if (sets.Count == 0)
            {
                Console.Error.WriteLine($"kbsr data verify: no catalogue dataset is present under {root}");
                return 1;
            }
            int failures = 0;
            foreach (var check in DatasetVerifier.Verify(sets, root))
            {
                string status = check.Ok ? "ok" : "FAILED";
                Console.WriteLine($"{check.Name}: {status} ({check.Found}/{check.Expected} images, {check.Checked} checksums)");
                foreach (string problem in check.Problems) Console.WriteLine("  " + problem);
                if (!check.Ok) failures++;
            }
            return failures == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command BuildGet()
    {
        var data = DataOption();
        var name = new Argument<string>("name") { Description = "Catalogue name, e.g. Set5 or DIV2K" };
        var url = new Option<string?>("--url") { Description = "Download from this address (http(s), file:// or a local path) instead of the catalogue's" };
        var timeout = new Option<double>("--timeout")
        {
            Description = "Seconds to wait for the server's response or its next bytes before giving up",
            DefaultValueFactory = _ => DownloadLimits.Default.ReadTimeout.TotalSeconds,
        };
        var command = new Command("get", "Download a dataset into the data root and verify it") { name, data, url, timeout };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var info = DatasetCatalog.Find(parse.GetValue(name)!);
                if (parse.GetValue(url) is { Length: > 0 } custom)
                    info = info with { Url = custom, Archive = null, Sha256 = null }; // the catalogue's checksum is for its own archive
                double seconds = parse.GetValue(timeout);
                if (!(seconds > 0 && seconds <= 86_400)) throw new ArgumentException($"--timeout {seconds}: expected 0 < seconds ≤ 86400");
                string root = DataRoot.ResolveForWriting(parse.GetValue(data));
                var limits = DownloadLimits.Default with { ReadTimeout = TimeSpan.FromSeconds(seconds) };
                await DatasetDownloader.GetAsync(info, root, progress: new ConsoleProgress(), ct: ct, limits: limits);
                var check = DatasetVerifier.Verify(info, root);
                Console.WriteLine($"{check.Name}: {(check.Ok ? "ok" : "FAILED")} ({check.Found}/{check.Expected} images) in {check.Folder}");
                return check.Ok ? 0 : 1;
            }
            catch (Exception e) when (e is KeyNotFoundException or ArgumentException)
            {
                Console.Error.WriteLine("kbsr data get: " + e.Message);
                return 2;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl+C or SIGTERM: the working folder is already removed; one line, no trace.
                Console.Error.WriteLine("kbsr data get: cancelled; nothing was kept");
                return 130;
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or HttpRequestException or UnauthorizedAccessException
                                          or TimeoutException or InvalidDataException)
            {
                Console.Error.WriteLine("kbsr data get: " + e.Message);
                return 1;
            }
        });
        return command;
    }

    private static string? TryRoot(string? explicitRoot, out string? why)
    {
        try
        {
            why = null;
            return DataRoot.Resolve(explicitRoot);
        }
        catch (DirectoryNotFoundException e)
        {
            why = e.Message;
            return null;
        }
    }

    private static void PrintTable(string[] header, List<string[]> rows)
    {
        int[] widths = [.. header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)))];
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
        Console.WriteLine(Line(header));
        Console.WriteLine(Line([.. widths.Select(w => new string('-', w))]));
        foreach (var row in rows) Console.WriteLine(Line(row));
    }

    internal sealed class ConsoleProgress : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine(value);
    }
}
