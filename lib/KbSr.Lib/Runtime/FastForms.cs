namespace KbSr.Runtime;

/// <summary>
/// Switch between the literal form of an operation (the way docs/method.md writes it) and an equivalent faster form
/// (the same sums in another order: the phase form of the transposed convolutions, the per-sample blur's
/// hand-written gradient, ...). On by default. Off is for tests that compare the two and for <c>kbsr bench --ab</c>;
/// both compute the same function to float rounding. Process-wide; flip it only while no forward pass runs.
/// </summary>
public static class FastForms
{
    public static bool Enabled { get; set; } = true;
}
