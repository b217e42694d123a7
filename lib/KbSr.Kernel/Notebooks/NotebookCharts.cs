using System.Text.Json;
using System.Text.Json.Nodes;
using KbSr.Charts;
using KbSr.Kernel.Formatting;

namespace KbSr.Kernel.Notebooks;

/// <summary>
/// The charts of an executed notebook: saved as figures for a report (named after their cell), or brought to
/// the current offline form in place (plotly.js once, before the first chart; a static image in every chart).
/// </summary>
public static class NotebookCharts
{
    private const string PlotlyMime = "application/vnd.plotly.v1+json";

    /// <summary>Every chart output, in order, named <c>cellN</c> (N = the cell's 1-based position, as run errors
    /// name it) or <c>cellN-K</c> for the K-th chart of a cell with several.</summary>
    public static List<(string Name, JsonObject Data)> Find(JsonObject notebook)
    {
        var found = new List<(string, JsonObject)>();
        if (notebook["cells"] is not JsonArray cells) return found;
        for (int i = 0; i < cells.Count; i++)
        {
            var charts = (cells[i]?["outputs"] as JsonArray ?? [])
                .Select(o => o?["data"] as JsonObject).Where(d => d?[PlotlyMime] is not null).Select(d => d!).ToList();
            for (int k = 0; k < charts.Count; k++)
                found.Add((charts.Count == 1 ? $"cell{i + 1}" : $"cell{i + 1}-{k + 1}", charts[k]));
        }
        return found;
    }

    /// <summary>Writes every chart of the notebook at <paramref name="notebookPath"/> to <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> SaveFigures(string notebookPath, string folder, params string[] formats)
    {
        var charts = Find(Read(notebookPath));
        return charts.Count == 0 ? [] : Figures.SaveAll(charts.Select(c => (c.Name, c.Data[PlotlyMime]!.ToJsonString())), folder, formats);
    }

    /// <summary>
    /// Rewrites the chart outputs of a stored notebook in the current offline form without running it: the
    /// plotly.js output goes before the first chart (older ones are removed), and every chart gets its static
    /// image (one browser run for the whole notebook). Returns the number of charts.
    /// </summary>
    public static int MakeOffline(string notebookPath)
    {
        var notebook = Read(notebookPath);
        var cells = notebook["cells"] as JsonArray ?? [];
        foreach (var outputs in cells.Select(c => c?["outputs"]).OfType<JsonArray>())
            for (int i = outputs.Count - 1; i >= 0; i--)
                if (Text(outputs[i]?["data"]?["text/plain"]).StartsWith(PlotlyFormatter.PlotlyJsMarker, StringComparison.Ordinal))
                    outputs.RemoveAt(i);
        var charts = Find(notebook);
        if (charts.Count == 0) return 0;
        var figures = charts.Select(c => (Json: c.Data[PlotlyMime]!.ToJsonString(), Size: Figures.SizeOf(c.Data[PlotlyMime]!.ToJsonString(), null, null))).ToList();
        var images = ChromiumRenderer.Render(figures.Select(f => (f.Json, f.Size.Width, f.Size.Height)).ToList());
        for (int i = 0; i < charts.Count; i++)
        {
            var data = charts[i].Data;
            data.Clear();
            foreach (var (mime, value) in PlotlyFormatter.FormatFigure(figures[i].Json, Convert.ToBase64String(images[i].Png))) data[mime] = value;
        }
        // plotly.js goes out as its own output just before the first chart, as the kernel does in a live session.
        var first = charts[0].Data;
        foreach (var outputs in cells.Select(c => c?["outputs"]).OfType<JsonArray>())
        {
            int at = outputs.Select((o, i) => (o, i)).FirstOrDefault(x => ReferenceEquals(x.o?["data"], first), (null, -1)).Item2;
            if (at < 0) continue;
            outputs.Insert(at, new JsonObject { ["output_type"] = "display_data", ["data"] = PlotlyFormatter.PlotlyJsBundle(), ["metadata"] = new JsonObject() });
            break;
        }
        AtomicFile.WriteAllText(notebookPath, notebook.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return charts.Count;
    }

    /// <summary>A notebook text field: one string or a list of lines.</summary>
    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "")),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => "",
    };

    private static JsonObject Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"notebook '{path}' does not exist", path);
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"notebook '{path}' is not a JSON object"); }
        catch (JsonException e) { throw new InvalidDataException($"notebook '{path}' is not valid JSON: {e.Message}", e); }
    }
}
