using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;

namespace KbSr.Kernel.Formatting;

/// <summary>
/// Turns a cell value into a Jupyter MIME bundle ({"text/plain": ..., "image/png": ...}).
/// Extensible: <see cref="Register{T}"/> adds a formatter for a type (and its subclasses); the most
/// recently registered, most specific match wins. Every bundle also carries <c>text/plain</c>.
/// </summary>
public static class Formatter
{
    private static readonly Lock Gate = new();
    private static readonly List<(Type Type, Func<object, IDictionary<string, JsonNode>?> Format)> Formatters = [];

    /// <summary>Maximum rows rendered by the HTML table formatter.</summary>
    public static int MaxTableRows { get; set; } = 100;

    static Formatter()
    {
        PlotlyFormatter.Register();
        ImageFormatter.Register();
    }

    /// <summary>Registers a formatter; return null from it to fall back to the next match.</summary>
    public static void Register<T>(Func<T, IDictionary<string, JsonNode>?> format)
    {
        ArgumentNullException.ThrowIfNull(format);
        Register(typeof(T), o => format((T)o));
    }

    public static void Register(Type type, Func<object, IDictionary<string, JsonNode>?> format)
    {
        lock (Gate) Formatters.Add((type, format));
    }

    /// <summary>The MIME bundle of <paramref name="value"/>.</summary>
    public static JsonObject Format(object? value)
    {
        var bundle = new JsonObject();
        if (value is null) { bundle["text/plain"] = "<null>"; return bundle; }
        foreach (var format in Candidates(value.GetType()))
        {
            IDictionary<string, JsonNode>? result;
            try { result = format(value); }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                bundle["text/plain"] = $"<formatter failed: {e.GetType().Name}: {e.Message}>\n{PlainText(value)}";
                return bundle;
            }
            if (result is null) continue;
            foreach (var (mime, data) in result) bundle[mime] = data.DeepClone();
            break;
        }
        if (bundle.Count == 0 && TableHtml(value) is { } html) bundle["text/html"] = html;
        if (!bundle.ContainsKey("text/plain")) bundle["text/plain"] = PlainText(value);
        return bundle;
    }

    private static List<Func<object, IDictionary<string, JsonNode>?>> Candidates(Type type)
    {
        (Type Type, Func<object, IDictionary<string, JsonNode>?> Format)[] all;
        lock (Gate) all = [.. Formatters];
        // Most specific first: distance along the base-type chain; interfaces after classes; later registrations first.
        return all.Select((f, index) => (f, index, distance: Distance(type, f.Type)))
            .Where(x => x.distance >= 0)
            .OrderBy(x => x.distance).ThenByDescending(x => x.index)
            .Select(x => x.f.Format).ToList();
    }

    private static int Distance(Type type, Type target)
    {
        int d = 0;
        for (var t = type; t is not null; t = t.BaseType, d++)
            if (t == target) return d;
        return target.IsAssignableFrom(type) ? 1000 : -1;
    }

    public static string PlainText(object value)
    {
        try
        {
            if (value is TorchSharp.torch.Tensor t) return t.ToString(TorchSharp.TensorStringStyle.Numpy);
            if (value is string s) return s;
            if (value is IEnumerable e && value.GetType().GetMethod("ToString", Type.EmptyTypes)?.DeclaringType == typeof(object))
                return $"{TypeName(value.GetType())} [{string.Join(", ", e.Cast<object?>().Take(20).Select(x => x?.ToString() ?? "null"))}{(e.Cast<object?>().Skip(20).Any() ? ", …" : "")}]";
            return value.ToString() ?? "";
        }
        catch (Exception ex) when (ex is not OutOfMemoryException) { return $"<{TypeName(value.GetType())}: ToString failed: {ex.Message}>"; }
    }

    private static string TypeName(Type t) => t.IsGenericType ? t.Name[..t.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", t.GetGenericArguments().Select(TypeName)) + ">" : t.Name;

    /// <summary>An HTML table for sequences (rows) of records/objects (columns = public properties) or scalars.</summary>
    internal static string? TableHtml(object value)
    {
        if (value is string || value is not IEnumerable sequence || value is TorchSharp.torch.Tensor || value is IDictionary) return null;
        var rows = new List<object?>();
        bool more = false;
        foreach (var item in sequence)
        {
            if (rows.Count == MaxTableRows) { more = true; break; }
            rows.Add(item);
        }
        var elementType = value.GetType().GetInterfaces().Concat([value.GetType()])
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0]
            ?? rows.FirstOrDefault(r => r is not null)?.GetType() ?? typeof(object);
        bool scalar = elementType.IsPrimitive || elementType == typeof(string) || elementType == typeof(decimal) || elementType.IsEnum || elementType == typeof(object);
        var props = scalar ? [] : elementType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).ToArray();
        var sb = new StringBuilder("<table><thead><tr><th><i>index</i></th>");
        if (props.Length == 0) sb.Append("<th>value</th>");
        foreach (var p in props) sb.Append("<th>").Append(WebUtility.HtmlEncode(p.Name)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append("<tr><td>").Append(i.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            if (props.Length == 0) Cell(sb, rows[i]);
            foreach (var p in props)
            {
                object? cell;
                try { cell = rows[i] is null ? null : p.GetValue(rows[i]); }
                catch (TargetInvocationException e) { cell = $"<{e.InnerException?.GetType().Name}>"; }
                Cell(sb, cell);
            }
            sb.Append("</tr>");
        }
        if (more) sb.Append("<tr><td colspan=\"").Append(Math.Max(1, props.Length) + 1).Append("\">… (more rows)</td></tr>");
        return sb.Append("</tbody></table>").ToString();
    }

    private static void Cell(StringBuilder sb, object? value) =>
        sb.Append("<td>").Append(WebUtility.HtmlEncode(value is null ? "null" : Convert.ToString(value, CultureInfo.InvariantCulture))).Append("</td>");
}
