using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using Granary.Gateway.Hosting;
using Granary.Tenants;
using Microsoft.Extensions.Options;

namespace Granary.Gateway.Access;

/// <summary>
/// What this gateway knows of each tenant (its keys, its functions and workspaces with their access) and of which
/// tenants exist, so that authenticating a key, refusing an unknown name and finding a function's access cost a
/// dictionary lookup instead of a grain call. A view is used for <see cref="AuthOptions.RefreshMs"/>; then it is
/// refreshed in the background while the old one serves, for as long again at most, after which callers wait for the
/// new one. A miss (an unknown function, key or tenant) is answered only from a view fetched after the request
/// arrived, so something created a moment ago through another gateway is never refused. Refreshes ask for a newer
/// version only, so an unchanged tenant costs a tiny grain call per period.
/// </summary>
internal sealed partial class TenantViews(IGrainFactory grains, InFlightCalls calls, IOptions<AuthOptions> options, ILogger<TenantViews> logger)
{
    private readonly long _fresh = Stopwatch.Frequency * options.Value.RefreshMs / 1000;
    private readonly ConcurrentDictionary<string, Cached<TenantView>> _tenants = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, Cached<TenantView>>.AlternateLookup<ReadOnlySpan<char>> Spans => _tenants.GetAlternateLookup<ReadOnlySpan<char>>();
    private readonly Action<Exception> _refreshFailed = exception => LogRefreshFailed(logger, exception);
    private readonly Cached<TenantDirectoryView> _directory = new(exception => LogRefreshFailed(logger, exception));

    /// <summary>
    /// Gets the view of a tenant, or null when the tenant does not exist (as of a view fetched after
    /// <paramref name="arrived"/>, a <see cref="Stopwatch"/> timestamp).
    /// </summary>
    public ValueTask<TenantView?> GetAsync(string tenant, long arrived) =>
        TryGet(tenant, out var view) ? ValueTask.FromResult(view) : GetSlowAsync(tenant, arrived);

    /// <summary>
    /// Gets the view of a tenant when this gateway holds a usable one (the hot path: no await); <paramref name="view"/>
    /// is null when the tenant does not exist.
    /// </summary>
    public bool TryGet(string tenant, out TenantView? view) => TryGet(tenant.AsSpan(), out view);

    /// <summary>Gets the view of a tenant named by a span (a key's tenant part), as <see cref="TryGet(string, out TenantView?)"/>.</summary>
    public bool TryGet(ReadOnlySpan<char> tenant, out TenantView? view)
    {
        if (Spans.TryGetValue(tenant, out var cached) && cached.Current is { } current && Usable(cached, current.FetchedAt))
        {
            view = current.Exists ? current : null;
            return true;
        }

        view = null;
        return false;
    }

    /// <summary>
    /// Finds something in a tenant's view: in the view at hand, or on a miss in one fetched after
    /// <paramref name="arrived"/> (it may have been created through another gateway since). Null when the tenant or
    /// the thing does not exist.
    /// </summary>
    public async ValueTask<T?> FindAsync<T>(string tenant, long arrived, Func<TenantView, T?> find)
    {
        if ((await GetAsync(tenant, arrived)) is { } view && find(view) is { } found)
        {
            return found;
        }

        return await RefreshedAsync(tenant, arrived) is { } fresh ? find(fresh) : default;
    }

    /// <summary>
    /// Gets a view of the tenant fetched after <paramref name="arrived"/>: for a miss in the view at hand (the function
    /// or key may have been created through another gateway since).
    /// </summary>
    public async ValueTask<TenantView?> RefreshedAsync(string tenant, long arrived)
    {
        if (!await ExistsAsync(tenant, arrived))
        {
            return null;
        }

        var view = await Cache(tenant).FetchedAfterAsync(arrived, known => FetchTenantAsync(tenant, known));
        return view.Exists ? view : null;
    }

    /// <summary>Gets how many tenants this gateway keeps a view of (only tenants that exist get one).</summary>
    public int Count => _tenants.Count;

    /// <summary>Forgets a tenant's view (this gateway changed it), so the next request reads it anew.</summary>
    public void Forget(string tenant)
    {
        _tenants.TryRemove(tenant, out _);
        _directory.Invalidate();
    }

    private async ValueTask<TenantView?> GetSlowAsync(string tenant, long arrived)
    {
        // Never seen here: the directory answers for names that do not exist without waking a tenant grain, and
        // nothing is kept for them (a flood of made-up names must not grow this cache).
        if (!_tenants.TryGetValue(tenant, out var cached) || cached.Current is null)
        {
            return await RefreshedAsync(tenant, arrived);
        }

        var view = await cached.GetAsync(this, known => FetchTenantAsync(tenant, known));
        return view.Exists ? view : null;
    }

    private async ValueTask<bool> ExistsAsync(string tenant, long arrived)
    {
        if (_directory.Current is { } directory && Usable(_directory, directory.FetchedAt) && directory.Tenants.Contains(tenant))
        {
            return true;
        }

        var fresh = await _directory.FetchedAfterAsync(arrived, FetchDirectoryAsync);
        return fresh.Tenants.Contains(tenant);
    }

    private Cached<TenantView> Cache(string tenant) => _tenants.GetOrAdd(tenant, static (_, failed) => new Cached<TenantView>(failed), _refreshFailed);

    private bool Usable<T>(Cached<T> cached, long fetchedAt)
        where T : class, IFetched
    {
        var age = Stopwatch.GetTimestamp() - fetchedAt;
        if (age < _fresh)
        {
            return true;
        }

        // Stale but within a second period: serve it while a refresh runs in the background.
        return age < 2 * _fresh && cached.RefreshInBackground();
    }

    private async Task<TenantView> FetchTenantAsync(string tenant, TenantView? known)
    {
        var started = Stopwatch.GetTimestamp();
        var snapshot = await calls.ReadAsync(() => grains.GetGrain<ITenantGrain>(tenant).GetSnapshotAsync(known?.Version ?? 0));
        return snapshot is null ? known! with { FetchedAt = started } : TenantView.From(tenant, snapshot, started);
    }

    private async Task<TenantDirectoryView> FetchDirectoryAsync(TenantDirectoryView? known)
    {
        var started = Stopwatch.GetTimestamp();
        var list = await calls.ReadAsync(() => grains.GetGrain<ITenantDirectoryGrain>(ITenantDirectoryGrain.Key).GetTenantsAsync(known?.Version ?? 0));
        return list is null ? known! with { FetchedAt = started } : new TenantDirectoryView(list.Version, list.Tenants.ToFrozenSet(StringComparer.Ordinal), started);
    }

    /// <summary>Something fetched: when its fetch started.</summary>
    internal interface IFetched
    {
        long FetchedAt { get; }
    }

    /// <summary>The tenants that exist, as of <see cref="FetchedAt"/>.</summary>
    internal sealed record TenantDirectoryView(long Version, FrozenSet<string> Tenants, long FetchedAt) : IFetched;

    /// <summary>
    /// One cached value and the fetch in flight, if any. Fetches are shared: however many requests miss at once, one
    /// grain call is made, and a request waits only for a fetch that started after it arrived.
    /// </summary>
    internal sealed class Cached<T>(Action<Exception> backgroundFailed)
        where T : class, IFetched
    {
        private readonly Lock _gate = new();
        private Task<T>? _fetching;
        private long _fetchingSince;
        private Func<T?, Task<T>>? _lastFetch;
        private volatile T? _current;

        public T? Current => _current;

        public void Invalidate() => _current = null;

        public async ValueTask<T> GetAsync(TenantViews owner, Func<T?, Task<T>> fetch) =>
            await FetchedAfterAsync(Stopwatch.GetTimestamp() - (2 * owner._fresh), fetch);

        public Task<T> FetchedAfterAsync(long arrived, Func<T?, Task<T>> fetch)
        {
            lock (_gate)
            {
                _lastFetch = fetch;
                if (_current is { } current && current.FetchedAt >= arrived)
                {
                    return Task.FromResult(current);
                }

                if (_fetching is { IsCompleted: false } running && _fetchingSince >= arrived)
                {
                    return running;
                }

                return StartLocked(fetch);
            }
        }

        // Starts a refresh unless one is running; true when the caller may go on with the current value.
        public bool RefreshInBackground()
        {
            lock (_gate)
            {
                if (_fetching is not { IsCompleted: false } && _lastFetch is { } fetch)
                {
                    // Nobody waits for this one: its failure is logged, and the next request past the period waits for a new one.
                    _ = StartLocked(fetch).ContinueWith(
                        static (task, failed) => ((Action<Exception>)failed!)(task.Exception!.GetBaseException()),
                        backgroundFailed,
                        CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                }

                return _lastFetch is not null;
            }
        }

        private Task<T> StartLocked(Func<T?, Task<T>> fetch)
        {
            _fetchingSince = Stopwatch.GetTimestamp();
            var task = FetchAsync(fetch, _current);
            _fetching = task;
            return task;
        }

        private async Task<T> FetchAsync(Func<T?, Task<T>> fetch, T? known)
        {
            var value = await fetch(known);
            lock (_gate)
            {
                if (_current is null || value.FetchedAt >= _current.FetchedAt)
                {
                    _current = value;
                }
            }

            return value;
        }
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Warning, Message = "A background refresh of what this gateway knows of tenants failed; requests past the refresh period wait for a new one")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
