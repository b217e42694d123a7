using System.CommandLine;
using KbSr.Kernel.Notebooks;

namespace KbSr.Cli.Commands;

/// <summary>`kbsr notebook run`: headless, parameterised notebook runs through the kernel (papermill's convention).</summary>
internal static class NotebookCommand
{
    public static Command Build()
    {
        var command = new Command("notebook", "Run notebooks headless");
        var notebook = new Argument<string?>("notebook") { Description = "The .ipynb to run", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<string?>("--all") { Description = "Run every .ipynb in this folder (not recursive)" };
        var parameters = new Option<string[]>("--parameter", "-p") { Description = "Name=Value overriding a default of the cell tagged 'parameters' (repeatable)", AllowMultipleArgumentsPerToken = false };
        var output = new Option<string?>("--out") { Description = "Executed notebook path (with --all: a folder); default runs/notebooks/" };
        var timeout = new Option<double>("--timeout") { Description = "Per-cell time limit in seconds", DefaultValueFactory = _ => 1800 };
        var smoke = new Option<bool>("--smoke") { Description = "Same as -p Smoke=true: the notebook's tiny, fast settings" };

        var run = new Command("run", "Execute a notebook (or --all DIR) with parameters and write the executed copy; non-zero exit names the failing cell");
        run.Arguments.Add(notebook);
        foreach (var o in new Option[] { all, parameters, output, timeout, smoke }) run.Options.Add(o);
        run.SetAction(parse =>
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in parse.GetValue(parameters) ?? [])
            {
                int eq = p.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) { Console.Error.WriteLine($"kbsr: -p '{p}': expected Name=Value"); return 2; }
                values[p[..eq].Trim()] = p[(eq + 1)..];
            }
            if (parse.GetValue(smoke)) values["Smoke"] = "true";

            string? single = parse.GetValue(notebook), folder = parse.GetValue(all);
            if ((single is null) == (folder is null)) { Console.Error.WriteLine("kbsr: give either a notebook or --all DIR"); return 2; }
            var inputs = folder is not null
                ? Directory.Exists(folder) ? Directory.GetFiles(folder, "*.ipynb").Order(StringComparer.Ordinal).ToArray()
                  : throw new DirectoryNotFoundException($"--all: folder '{folder}' does not exist")
                : [single!];
            string? outArg = parse.GetValue(output);
            var limit = TimeSpan.FromSeconds(parse.GetValue(timeout));
            int failures = 0;
            foreach (var input in inputs)
            {
                string outPath = folder is null && outArg is not null ? outArg
                    : Path.Combine(outArg ?? Path.Combine("runs", "notebooks"), Path.GetFileName(input));
                try
                {
                    var started = System.Diagnostics.Stopwatch.StartNew();
                    var result = NotebookRunner.Run(new NotebookRunOptions(input, outPath, values, limit));
                    if (result.Success) Console.WriteLine($"ok   {input} ({result.CellsRun} cells, {started.Elapsed.TotalSeconds:0.0} s) → {result.OutputPath}");
                    else { failures++; Console.Error.WriteLine($"FAIL {input}: {result.Message} (executed copy: {result.OutputPath})"); }
                }
                catch (Exception e) when (e is ParameterException or InvalidDataException or FileNotFoundException or TimeoutException or InvalidOperationException)
                {
                    failures++;
                    Console.Error.WriteLine($"FAIL {input}: {e.Message}");
                }
            }
            return failures == 0 ? 0 : 1;
        });
        command.Subcommands.Add(run);
        return command;
    }
}
