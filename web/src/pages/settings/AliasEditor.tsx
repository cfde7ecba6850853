// config model_aliases as a table: client-facing model name → Gemini model, add and remove.
import { useState } from 'react';
import { Button, Empty, Input, Table, Tooltip } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { aliasesText, parseAliases } from './logic';

export function AliasEditor({ value, onChange, readOnly }: { value: string; onChange: (v: string) => void; readOnly: boolean }) {
  const { t } = useTranslation('settings');
  const rows = parseAliases(value) ?? [];
  const [alias, setAlias] = useState('');
  const [target, setTarget] = useState('');
  const duplicate = rows.some((r) => r.alias === alias.trim());
  const canAdd = alias.trim() !== '' && target.trim() !== '' && !duplicate;

  const add = () => {
    if (!canAdd) return;
    onChange(aliasesText([...rows, { alias: alias.trim(), target: target.trim() }]));
    setAlias('');
    setTarget('');
  };

  return (
    <div data-testid="alias-editor">
      <Table
        size="small"
        rowKey="alias"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 420 }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('aliases.empty')} /> }}
        columns={[
          { title: t('aliases.alias'), dataIndex: 'alias', render: (a: string) => <code>{a}</code> },
          { title: t('aliases.target'), dataIndex: 'target' },
          ...(readOnly
            ? []
            : [
                {
                  title: '',
                  key: 'remove',
                  width: 56,
                  render: (_: unknown, r: { alias: string }) => (
                    <Tooltip title={t('aliases.remove')}>
                      <Button
                        type="text"
                        danger
                        size="small"
                        icon={<DeleteOutlined />}
                        aria-label={t('aliases.remove')}
                        data-testid={`alias-remove-${r.alias}`}
                        onClick={() => onChange(aliasesText(rows.filter((x) => x.alias !== r.alias)))}
                      />
                    </Tooltip>
                  ),
                },
              ]),
        ]}
      />
      {readOnly ? null : (
        <div className="mt-3 flex flex-wrap items-start gap-2">
          <Input
            style={{ width: 220, maxWidth: '100%' }}
            placeholder={t('aliases.aliasPlaceholder')}
            aria-label={t('aliases.alias')}
            value={alias}
            status={duplicate ? 'error' : undefined}
            onChange={(e) => setAlias(e.target.value)}
            onPressEnter={add}
            data-testid="alias-new-name"
            data-write
          />
          <Input
            style={{ width: 220, maxWidth: '100%' }}
            placeholder={t('aliases.targetPlaceholder')}
            aria-label={t('aliases.target')}
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            onPressEnter={add}
            data-testid="alias-new-target"
          />
          <Button icon={<PlusOutlined />} disabled={!canAdd} onClick={add} data-testid="alias-add">
            {t('aliases.add')}
          </Button>
          {duplicate ? <span className="self-center text-sm text-[var(--poise-muted)]">{t('aliases.duplicate')}</span> : null}
        </div>
      )}
    </div>
  );
}
