export function Logo({ className = '' }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight text-zinc-900 ${className}`}>
      <svg viewBox="0 0 32 32" className="size-[1.3em]" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-accent-600" />
        <path d="M9 16.5l4.5 4.5L23 11.5" fill="none" stroke="#fff" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      kirim
    </span>
  );
}
