using System.CommandLine;
using KbSr.Evaluation;

namespace KbSr.Cli.Commands;

/// <summary>
/// The limits on command-line values, in one place, so every command applies the same rule and names the argument:
/// σ in [0, <see cref="EvalOptions.MaxSigma"/>], image counts ≥ 0, tiles of at least <see cref="MinTile"/> LR pixels
/// (smaller ones take minutes for nothing), a margin of at most one tile, and no option that another one would
/// silently override.
/// </summary>
internal static class ArgumentRules
{
    /// <summary>Smallest tile side (LR pixels): below it the context a margin adds costs more than the tile itself.</summary>
    public const int MinTile = 16;

    public static int Tile(int tile, string option = "--tile") =>
        tile == 0 || tile >= MinTile ? tile
            : throw new ArgumentException($"{option} {tile}: expected 0 (whole images) or at least {MinTile} LR pixels");

    /// <summary>The context around a tile: 0 … the tile side (more would process mostly context).</summary>
    public static int Margin(int margin, int tile) =>
        margin >= 0 && (tile == 0 || margin <= tile) ? margin
            : throw new ArgumentException($"--margin {margin}: expected 0 … {tile} (at most the --tile side)");

    public static int MaxImages(int count) =>
        count >= 0 ? count : throw new ArgumentException($"--max-images {count}: expected a positive count (or 0 = every image)");

    /// <summary>Whether the user typed <paramref name="option"/> (rather than getting its default).</summary>
    public static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
