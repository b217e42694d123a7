using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KbSr.Kernel.Notebooks;

/// <summary>A default declared in the <c>parameters</c> cell: <c>int Steps = 1000;</c> → ("Steps", "int").</summary>
public sealed record NotebookParameter(string Name, string? Type);

/// <summary>A parameter value or name the notebook cannot accept.</summary>
public sealed class ParameterException(string message) : Exception(message);

/// <summary>
/// papermill's convention for C# (docs/design.md §3.2): the defaults cell is parsed with Roslyn to learn each
/// parameter's type (declared, or inferred from a literal after <c>var</c>); overrides become typed C#
/// assignments in an <c>injected-parameters</c> cell.
/// </summary>
public static class ParameterInjector
{
    public const string ParametersTag = "parameters";
    public const string InjectedTag = "injected-parameters";

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["Boolean"] = "bool", ["System.Boolean"] = "bool", ["Int32"] = "int", ["System.Int32"] = "int",
        ["Int64"] = "long", ["System.Int64"] = "long", ["Single"] = "float", ["System.Single"] = "float",
        ["Double"] = "double", ["System.Double"] = "double", ["Decimal"] = "decimal", ["System.Decimal"] = "decimal",
        ["String"] = "string", ["System.String"] = "string",
    };

    /// <summary>The parameters declared at the top level of <paramref name="code"/>, in order.</summary>
    public static IReadOnlyList<NotebookParameter> ParseDefaults(string code)
    {
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview, kind: SourceCodeKind.Script));
        var result = new List<NotebookParameter>();
        foreach (var declaration in tree.GetRoot().DescendantNodes(n => n is CompilationUnitSyntax or GlobalStatementSyntax or FieldDeclarationSyntax or LocalDeclarationStatementSyntax)
                     .OfType<VariableDeclarationSyntax>())
        {
            string declared = declaration.Type.ToString().Trim();
            foreach (var variable in declaration.Variables)
            {
                string? type = declared == "var" ? InferType(variable.Initializer?.Value) : Normalize(declared);
                result.Add(new NotebookParameter(variable.Identifier.ValueText, type));
            }
        }
        return result;
    }

    private static string Normalize(string type) => Aliases.TryGetValue(type, out var alias) ? alias : type;

    private static string? InferType(ExpressionSyntax? value)
    {
        if (value is PrefixUnaryExpressionSyntax { OperatorToken.ValueText: "-" or "+" } unary) value = unary.Operand;
        if (value is not LiteralExpressionSyntax literal) return null;
        return literal.Kind() switch
        {
            SyntaxKind.TrueLiteralExpression or SyntaxKind.FalseLiteralExpression => "bool",
            SyntaxKind.StringLiteralExpression => "string",
            SyntaxKind.NumericLiteralExpression => literal.Token.Value switch
            {
                int => "int", long => "long", float => "float", double => "double", decimal => "decimal",
                uint => "uint", ulong => "ulong", _ => null,
            },
            _ => null,
        };
    }

    /// <summary>The C# literal for <paramref name="value"/> as a <paramref name="type"/>; throws with a readable message.</summary>
    public static string ToLiteral(string name, string? type, string value)
    {
        var inv = CultureInfo.InvariantCulture;
        string Fail(string expected) => throw new ParameterException(
            $"parameter '{name}' is {expected} (from its default in the parameters cell), but the value given was '{value}'");
        switch (type)
        {
            case "bool":
                return value.Trim().ToLowerInvariant() switch { "true" or "1" or "yes" => "true", "false" or "0" or "no" => "false", _ => Fail("a bool (true/false)") };
            case "int":
                return int.TryParse(value, NumberStyles.Integer, inv, out int i) ? i.ToString(inv) : Fail("an int");
            case "long":
                return long.TryParse(value, NumberStyles.Integer, inv, out long l) ? l.ToString(inv) + "L" : Fail("a long");
            case "uint":
                return uint.TryParse(value, NumberStyles.Integer, inv, out uint u) ? u.ToString(inv) + "U" : Fail("a uint");
            case "ulong":
                return ulong.TryParse(value, NumberStyles.Integer, inv, out ulong ul) ? ul.ToString(inv) + "UL" : Fail("a ulong");
            case "float":
                return float.TryParse(value, NumberStyles.Float, inv, out float f) && float.IsFinite(f) ? f.ToString("R", inv) + "f" : Fail("a float");
            case "double":
                return double.TryParse(value, NumberStyles.Float, inv, out double d) && double.IsFinite(d) ? d.ToString("R", inv) + "d" : Fail("a double");
            case "decimal":
                return decimal.TryParse(value, NumberStyles.Float, inv, out decimal m) ? m.ToString(inv) + "m" : Fail("a decimal");
            case "string":
                return SymbolDisplay.FormatLiteral(value, quote: true);
            default:
                throw new ParameterException($"parameter '{name}' has type '{type ?? "unknown (var without a literal)"}', which cannot be set from the command line; " +
                                             "declare its default with one of bool, int, long, float, double, decimal, string");
        }
    }

    /// <summary>The injected cell's source; unknown names are rejected, listing the known ones.</summary>
    public static string BuildInjectedCell(string parametersCell, IReadOnlyDictionary<string, string> overrides)
    {
        var defaults = ParseDefaults(parametersCell).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Last());
        var lines = new List<string> { "// Parameters injected by kbsr notebook run" };
        foreach (var (name, value) in overrides)
        {
            if (!defaults.TryGetValue(name, out var parameter))
                throw new ParameterException($"unknown parameter '{name}': the parameters cell declares {(defaults.Count == 0 ? "none" : string.Join(", ", defaults.Keys))}");
            lines.Add($"{name} = {ToLiteral(name, parameter.Type, value)};");
        }
        return string.Join("\n", lines);
    }
}
