import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { request } from './api';
import { applyOutbound, mergeConversations, queryArguments, updateConversation, type ListFilter } from './conversation-list';
import type { InboxConversation, InboxMessage, PageInfo } from './model';
import { CONVERSATIONS } from './queries';

const PAGE = 30;

interface Page {
  conversations: { nodes: InboxConversation[]; pageInfo: PageInfo };
}

/** The conversation list: the first page for the filter, further pages by cursor, live events merged in. */
export function useConversations(key: string, filter: ListFilter, onError: (error: unknown) => void) {
  const [conversations, setConversations] = useState<InboxConversation[]>([]);
  const [pageInfo, setPageInfo] = useState<PageInfo>({ hasNextPage: false, endCursor: null });
  const [loading, setLoading] = useState(true);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;
  // A page fetched under a filter the agent has since left is dropped.
  const generation = useRef(0);

  const fetchPage = useCallback(async (after: string | null, replace: boolean) => {
    const asked = generation.current;
    setLoading(true);
    try {
      const data = await request<Page>(key, CONVERSATIONS, { first: PAGE, after, ...queryArguments(filterRef.current) });
      if (asked !== generation.current) return;
      const { nodes } = data.conversations;
      setConversations((list) => mergeConversations(replace ? [] : list, nodes, filterRef.current));
      // Catching up merges the first page into a deeper list: the cursor of the deeper page stays.
      if (replace || after !== null) setPageInfo(data.conversations.pageInfo);
    } catch (error) {
      onErrorRef.current(error);
    } finally {
      if (asked === generation.current) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    generation.current += 1;
    setConversations([]);
    void fetchPage(null, true);
  }, [fetchPage, filter.show, filter.groupId]);

  return {
    conversations,
    loading,
    hasMore: pageInfo.hasNextPage,
    loadMore: () => {
      if (!loading && pageInfo.hasNextPage) void fetchPage(pageInfo.endCursor, false);
    },
    catchUp: () => fetchPage(null, false),
    receive: (conversation: InboxConversation) => setConversations((list) => mergeConversations(list, [conversation], filterRef.current)),
    sent: (message: InboxMessage) => setConversations((list) => applyOutbound(list, message)),
    update: (id: string, change: Partial<InboxConversation>) => setConversations((list) => updateConversation(list, id, change)),
  };
}
