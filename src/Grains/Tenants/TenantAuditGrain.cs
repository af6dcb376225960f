using System.Collections.Immutable;
using Microsoft.Extensions.Options;

namespace Granary.Tenants;

/// <summary>A tenant's audit log (see <see cref="ITenantAuditGrain"/>): bounded, newest first, written as entries arrive.</summary>
[GrainType("audit")]
public sealed class TenantAuditGrain(
    [PersistentState("audit", GranaryStorage.Name)] IPersistentState<TenantAuditState> state,
    IOptions<TenantOptions> options)
    : Grain, ITenantAuditGrain
{
    /// <inheritdoc />
    public async Task AppendAsync(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var entries = state.State.Entries;
        entries.Insert(0, entry);
        if (entries.Count > options.Value.AuditSize)
        {
            entries.RemoveRange(options.Value.AuditSize, entries.Count - options.Value.AuditSize);
        }

        await state.WriteOrUndoAsync(() => entries.Remove(entry));
    }

    /// <inheritdoc />
    public Task<ImmutableArray<AuditEntry>> GetAsync(int limit) =>
        Task.FromResult(state.State.Entries.Take(Math.Max(limit, 0)).ToImmutableArray());

    /// <inheritdoc />
    public async Task ClearAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearOrFailAsync();
        }

        state.State = new TenantAuditState();
    }
}

/// <summary>The persisted state of an audit log.</summary>
public sealed class TenantAuditState
{
    /// <summary>Gets or sets the entries, newest first.</summary>
    public List<AuditEntry> Entries { get; set; } = [];
}
