import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';
import App from '../src/App.svelte';
import { defaultsFixture, fakeBackend, rejectWith, settingsFixture } from './fake';

const fresh = () => settingsFixture({ business_name: '', setup_completed_at: null });

async function typeName(name: string) {
  const input = await screen.findByTestId('setup-business-name');
  await fireEvent.input(input, { target: { value: name } });
}

describe('first-run setup', () => {
  test('is shown instead of the app while setup is not complete, with a step indicator', async () => {
    fakeBackend({ settings: fresh() });
    render(App);
    expect(await screen.findByText('Step 1 of 3')).toBeTruthy();
    const input = await screen.findByTestId('setup-business-name');
    expect(screen.getByLabelText('Business name')).toBe(input);
    expect(screen.getByText('As your customers know it — it appears in help texts.')).toBeTruthy();
    expect(screen.queryByTestId('nav-today')).toBeNull();
    expect(screen.getByTestId('sandbox-banner').textContent).toContain('Sandbox mode — no real texts are sent');
  });

  test('refuses an empty name inline without calling the backend', async () => {
    const backend = fakeBackend({ settings: fresh() });
    render(App);
    await typeName('   ');
    await fireEvent.click(screen.getByTestId('setup-next'));
    expect(screen.getByTestId('setup-error').textContent).toMatch(/name of your business/);
    expect(screen.getByText('Step 1 of 3')).toBeTruthy();
    expect(backend.called.complete_setup).toHaveLength(0);
    expect(backend.called.update_settings).toHaveLength(0);
  });

  test('finishing calls complete_setup with the typed name, chosen zone and region, then shows Today', async () => {
    const backend = fakeBackend({ settings: fresh() });
    render(App);
    await typeName('Harbour Hair');
    await fireEvent.click(screen.getByTestId('setup-next'));

    expect(screen.getByText('Step 2 of 3')).toBeTruthy();
    const zone = screen.getByTestId('setup-timezone') as HTMLSelectElement;
    expect(zone.value).toBe('Europe/London'); // preselected from defaults
    expect(zone.size).toBe(8);
    expect(screen.getByTestId('setup-timezone-now').textContent).toMatch(
      /It is now .+ in United Kingdom Time — London/,
    );
    // The keyboard is on the search box, ready to type.
    expect(document.activeElement).toBe(screen.getByTestId('setup-timezone-search'));

    await fireEvent.input(screen.getByTestId('setup-timezone-search'), { target: { value: 'new york' } });
    const shown = Array.from(zone.options).map((o) => o.value);
    expect(shown).toContain('America/New_York');
    expect(shown).not.toContain('Asia/Tokyo');
    await fireEvent.change(zone, { target: { value: 'America/New_York' } });
    await fireEvent.click(screen.getByTestId('setup-next'));

    expect(screen.getByText('Step 3 of 3')).toBeTruthy();
    const region = screen.getByTestId('setup-region') as HTMLSelectElement;
    // The region follows the chosen zone until the person chooses one.
    expect(region.value).toBe('US');
    expect(document.activeElement).toBe(region);
    expect(screen.getByText(/The number customers call, such as \(201\) 555-0123\./)).toBeTruthy();
    expect(Array.from(region.options).map((o) => o.textContent)).toEqual([
      'Australia (+61) — AU',
      'Ireland (+353) — IE',
      'United Kingdom (+44) — GB',
      'United States (+1) — US',
    ]);
    await fireEvent.change(region, { target: { value: 'IE' } });
    expect(screen.getByText(/The number customers call, such as 085 012 3456\./)).toBeTruthy();
    // The number customers call: HELP answers give it.
    await fireEvent.input(screen.getByTestId('setup-business-phone'), { target: { value: ' 01 555 0100 ' } });
    await fireEvent.click(screen.getByTestId('setup-finish'));

    await waitFor(() => expect(backend.called.complete_setup).toHaveLength(1));
    expect(backend.called.complete_setup[0].args).toEqual({
      input: {
        business_name: 'Harbour Hair',
        timezone: 'America/New_York',
        phone_region: 'IE',
        business_phone: '01 555 0100',
      },
    });
    expect((await screen.findByTestId('today-heading')).textContent).toBe('Today at Harbour Hair');
    expect(screen.getByTestId('nav-today').getAttribute('aria-current')).toBe('page');
  });

  test('a business phone the backend refuses is shown under its own field, on step 3', async () => {
    fakeBackend({
      settings: fresh(),
      completeSetup: () =>
        rejectWith('invalid_input', '"12" doesn\'t look like a phone number here.', 'business_phone'),
    });
    render(App);
    await typeName('Harbour Hair');
    await fireEvent.click(screen.getByTestId('setup-next'));
    await fireEvent.click(screen.getByTestId('setup-next'));
    await fireEvent.input(screen.getByTestId('setup-business-phone'), { target: { value: '12' } });
    await fireEvent.click(screen.getByTestId('setup-finish'));
    expect((await screen.findByTestId('setup-phone-error')).textContent).toContain("doesn't look like a phone number");
    expect(screen.getByText('Step 3 of 3')).toBeTruthy();
    expect(screen.getByTestId('setup-business-phone').getAttribute('aria-invalid')).toBe('true');
  });

  test('a backend error about the time zone returns to step 2 with the message shown', async () => {
    fakeBackend({
      settings: fresh(),
      completeSetup: () =>
        rejectWith('invalid_input', 'This computer does not know the time zone "Europe/London".', 'timezone'),
    });
    render(App);
    await typeName('Harbour Hair');
    await fireEvent.click(screen.getByTestId('setup-next'));
    await fireEvent.click(screen.getByTestId('setup-next'));
    await fireEvent.click(screen.getByTestId('setup-finish'));

    expect(await screen.findByText('Step 2 of 3')).toBeTruthy();
    expect(screen.getByTestId('setup-error').textContent).toBe(
      'This computer does not know the time zone "Europe/London".',
    );
    expect((screen.getByTestId('setup-timezone') as HTMLSelectElement).value).toBe('Europe/London');
    // Going back keeps what was typed.
    await fireEvent.click(screen.getByTestId('setup-back'));
    expect((screen.getByTestId('setup-business-name') as HTMLInputElement).value).toBe('Harbour Hair');
  });

  test('Enter in the time zone search picks the first match and stays on the step', async () => {
    fakeBackend({ settings: fresh() });
    render(App);
    await typeName('Harbour Hair');
    await fireEvent.click(screen.getByTestId('setup-next'));
    const search = screen.getByTestId('setup-timezone-search');
    await fireEvent.input(search, { target: { value: 'tok' } });
    await fireEvent.keyDown(search, { key: 'Enter' });
    expect((screen.getByTestId('setup-timezone') as HTMLSelectElement).value).toBe('Asia/Tokyo');
    expect(screen.getByText('Step 2 of 3')).toBeTruthy();
    expect(screen.getByTestId('setup-timezone-now').textContent).toContain('in Japan Standard Time — Tokyo');
  });

  test('without a detected region a placeholder is selected and Finish refuses inline', async () => {
    const backend = fakeBackend({
      settings: fresh(),
      defaults: { ...defaultsFixture, timezone: null, phone_region: null },
    });
    render(App);
    await typeName('Harbour Hair');
    await fireEvent.click(screen.getByTestId('setup-next'));
    expect((screen.getByTestId('setup-timezone') as HTMLSelectElement).value).toBe('UTC');
    await fireEvent.click(screen.getByTestId('setup-next'));

    const region = screen.getByTestId('setup-region') as HTMLSelectElement;
    expect(region.selectedOptions[0].textContent).toBe('Choose a country');
    expect(region.selectedOptions[0].disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('setup-finish'));
    expect(screen.getByTestId('setup-error').textContent).toMatch(/Choose the country/);
    // The problem takes the keyboard to the field it is about.
    await waitFor(() => expect(document.activeElement).toBe(region));
    expect(backend.called.complete_setup).toHaveLength(0);
  });

  test('an empty name puts the keyboard back on the name', async () => {
    fakeBackend({ settings: fresh() });
    render(App);
    await typeName('');
    (screen.getByTestId('setup-next') as HTMLButtonElement).focus();
    await fireEvent.click(screen.getByTestId('setup-next'));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('setup-business-name')));
  });

  test('zones are places with friendly names, found by time, city or country', async () => {
    fakeBackend({ settings: fresh(), defaults: { ...defaultsFixture, timezone: null, phone_region: null } });
    render(App);
    await typeName('Harbour Hair');
    await fireEvent.click(screen.getByTestId('setup-next'));
    const zone = screen.getByTestId('setup-timezone') as HTMLSelectElement;
    const search = screen.getByTestId('setup-timezone-search');
    const listed = () => Array.from(zone.options).map((o) => o.textContent);

    await fireEvent.input(search, { target: { value: 'Eastern' } });
    expect(listed()).toContain('Eastern Time — New York');
    expect(listed()).not.toContain('Central Time — Chicago');
    await fireEvent.input(search, { target: { value: 'united states' } });
    expect(listed()).toEqual(
      expect.arrayContaining(['Eastern Time — New York', 'Central Time — Chicago', 'Pacific Time — Los Angeles']),
    );
    expect(listed()).not.toContain('United Kingdom Time — London');
    await fireEvent.input(search, { target: { value: 'chicago' } });
    await fireEvent.keyDown(search, { key: 'Enter' });
    expect(zone.value).toBe('America/Chicago');
    expect(screen.getByTestId('setup-timezone-now').textContent).toContain(
      'Central Time — Chicago, United States: Central (most areas).',
    );

    // With no country known, the zone's country becomes the phone region.
    await fireEvent.click(screen.getByTestId('setup-next'));
    expect((screen.getByTestId('setup-region') as HTMLSelectElement).value).toBe('US');
    expect((screen.getByTestId('setup-business-phone') as HTMLInputElement).placeholder).toBe('(201) 555-0123');
  });

  test('a region the person chose stays when the zone changes afterwards', async () => {
    fakeBackend({ settings: fresh() });
    render(App);
    await typeName('Harbour Hair');
    await fireEvent.click(screen.getByTestId('setup-next'));
    await fireEvent.click(screen.getByTestId('setup-next'));
    await fireEvent.change(screen.getByTestId('setup-region'), { target: { value: 'AU' } });
    await fireEvent.click(screen.getByTestId('setup-back'));
    await fireEvent.change(screen.getByTestId('setup-timezone'), { target: { value: 'America/Chicago' } });
    await fireEvent.click(screen.getByTestId('setup-next'));
    expect((screen.getByTestId('setup-region') as HTMLSelectElement).value).toBe('AU');
  });
});
