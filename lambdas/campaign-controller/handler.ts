// Placeholder until the controller use case lands (same commit series); replaced by the lead.
export const handler = async (): Promise<void> => {
  throw new Error('campaign controller not wired yet');
};
